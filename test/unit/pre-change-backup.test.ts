import { imageChanges } from "../../src/lifecycle/image-changes";
import type { PlanJson } from "../../src/lifecycle/plan-guard";
import { backupsToPrune, majorChangeRefusal, postgresMajor } from "../../src/lifecycle/pre-change-backup";
import { validConfig } from "./helpers";

const change = (address: string, actions: string[], before: unknown, after: unknown) => ({ address, change: { actions, before, after } });
const plan = (...changes: ReturnType<typeof change>[]) => ({ resource_changes: changes }) as unknown as PlanJson;
const service = (image: string) => ({ task_spec: [{ container_spec: [{ image }] }] });

describe("the image changes a deploy's plan makes, on either profile", () => {
  test("container profile: the docker_image names of LiteLLM and Postgres", () => {
    expect(
      imageChanges(
        plan(
          change("docker_image.litellm_image_214D07F5", ["delete", "create"], { name: "ghcr.io/berriai/litellm-database:v1.106.12" }, { name: "ghcr.io/berriai/litellm-database:v1.108.5" }),
          change("docker_image.postgres_image_5E4DCF3B", ["no-op"], { name: "postgres:16.10" }, { name: "postgres:16.10" }),
          change("docker_container.litellm_container_7EDBBC99", ["delete", "create"], { image: "sha256:a" }, { image: "sha256:b" }),
        ),
      ),
    ).toEqual([{ component: "litellm", before: "ghcr.io/berriai/litellm-database:v1.106.12", after: "ghcr.io/berriai/litellm-database:v1.108.5" }]);
  });

  test("swarm profile: the services' images; the migrations task and the load balancer are not the data's", () => {
    expect(
      imageChanges(
        plan(
          change("docker_service.postgres_service_71DCEA6D", ["update"], service("postgres:16.10"), service("postgres:17.6")),
          change("docker_service.migrations_service_305A4C41", ["update"], service("l:1"), service("l:2")),
          change("docker_service.load-balancer_service_36EB93D2", ["update"], service("haproxy:3.2.6"), service("haproxy:3.2.7")),
        ),
      ),
    ).toEqual([{ component: "postgres", before: "postgres:16.10", after: "postgres:17.6" }]);
  });

  test("a first deploy, a catalog change and a no-op with a digest the engine added move no image", () => {
    expect(imageChanges(plan(change("docker_image.litellm_image_214D07F5", ["create"], null, { name: "x:1" })))).toEqual([]);
    expect(imageChanges(plan(change("docker_service.litellm_service_7AB8399C", ["update"], service("x:1"), service("x:1"))))).toEqual([]);
    expect(imageChanges(plan(change("docker_service.postgres_service_71DCEA6D", ["no-op"], service("p:16@sha256:1"), service("p:17"))))).toEqual([]);
    expect(imageChanges(plan(change("docker_service.litellm_service_7AB8399C", ["update"], service("x:1@sha256:ab12"), service("x:1"))))).toEqual([]);
  });
});

describe("a Postgres major version change, and the backups a deploy keeps", () => {
  test("the major of postgres --version (official and Debian builds) and of PG_VERSION", () => {
    expect(postgresMajor("postgres (PostgreSQL) 17.6 (Debian 17.6-0+deb13u1)\n")).toBe(17);
    expect(postgresMajor("postgres (PostgreSQL) 16.10\n")).toBe(16);
    expect(postgresMajor("15\n")).toBe(15);
    expect(postgresMajor("")).toBeUndefined();
  });

  test("refused with the cause and every command, in order", () => {
    const line = majorChangeRefusal(validConfig({ database: { image: "postgres:17.6" } }), 15, 17);
    expect(line).toMatch(/^refused: database.image postgres:17.6 is PostgreSQL 17, and the data of "unit" was written by PostgreSQL 15, which 17 cannot open; nothing was changed\./);
    expect(line).toContain("npm run backup; LITELLM_DELETE_DATA=yes npm run destroy; npm run deploy; npm run restore -- <the .dump npm run backup printed>");
  });

  test("only the oldest pre-deploy backups beyond the number kept go; a user's own backups never", () => {
    const files = [
      "s-20261201T000000Z-pre-deploy.dump",
      "s-20261201T000000Z-pre-deploy.keys.json",
      "s-20261202T000000Z.dump",
      "s-20261203T000000Z-pre-deploy.dump",
      "s-20261204T000000Z-pre-deploy.dump",
    ];
    expect(backupsToPrune(files, 2)).toEqual(["s-20261201T000000Z-pre-deploy.dump"]);
    expect(backupsToPrune(files, 5)).toEqual([]);
  });
});
