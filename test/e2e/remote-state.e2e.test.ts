/**
 * Remote state for real: the pg backend on a real Postgres and the S3 backend on a real
 * S3-compatible server (moto, locked by Terraform's S3 lock file), through `npm run deploy` /
 * `destroy` with the real Terraform and providers. What a team's CI jobs rely on: the state is in
 * the backend, not in the checkout; an experiment keeps its own schema or key; a second run while
 * the first holds the lock is refused with the lock's message and changes nothing; a local state
 * moved to the backend with `-migrate-state -force-copy` keeps every resource.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { LABEL_PREFIX, resourceNames } from "../../src/specs/service-specs";
import { Checkout, type CommandResult, realPathUnavailableReason } from "./harness/checkout";
import { freePort } from "./harness/deployment";
import { assertEngineAnswers, docker, objectsLabelled, removeLabelled, suiteLabels } from "./harness/engine";
import { buildLocalImages, type LocalImages, tagAsPinned } from "./harness/images";
import { S3Server } from "./harness/s3-server";
import { waitFor } from "./harness/wait";

assertEngineAnswers();
const unavailable = realPathUnavailableReason();
if (unavailable) console.warn(`SKIPPED the remote-state suite (npm run deploy with the real providers): ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const checkouts: Checkout[] = [];
let images: LocalImages;

/**
 * One remote backend, as the suite drives it: the backend section of a stack's configuration, the
 * credentials it reads from the environment, and its state read straight from the store.
 */
interface StateStore {
  readonly type: "pg" | "s3";
  readonly env: Record<string, string>;
  start(): Promise<void>;
  remove(): Promise<void>;
  /** The backend section; `place` keeps one stack's state apart from another's (a schema, a key). */
  backend(place: string): Record<string, unknown>;
  /** The state Terraform keeps at `place` (for an experiment, where the stack's rule puts it), or undefined. */
  state(place: string, experiment?: string): Promise<string | undefined>;
  /** What the lock message names: where the state is. */
  readonly lockWords: RegExp;
}

/** The pg backend on a real Postgres (the suite's Postgres image), published on 127.0.0.1. */
function pgStore(): StateStore {
  const db = { user: "terraform", password: `state-pw-${runId}`, database: "tfstate" };
  const container = `e2e-state-postgres-${runId}`;
  let port = 0;
  const sql = (query: string): string => {
    const result = spawnSync("docker", ["exec", "-i", "-e", `PGPASSWORD=${db.password}`, container, "psql", "-h", "127.0.0.1", "-U", db.user, "-d", db.database, "-At", "-v", "ON_ERROR_STOP=1"], {
      encoding: "utf8",
      input: `${query};\n`,
    });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  const schemaOf = (place: string) => (place === "stack" ? "terraform_remote_state" : place);
  return {
    type: "pg",
    env: { PGPASSWORD: db.password },
    lockWords: /Error acquiring the state lock/,
    async start() {
      port = await freePort();
      const state = await docker.createContainer({
        name: container,
        Image: images.postgres,
        Env: [`POSTGRES_USER=${db.user}`, `POSTGRES_PASSWORD=${db.password}`, `POSTGRES_DB=${db.database}`],
        Labels: suiteLabels(),
        ExposedPorts: { "5432/tcp": {} },
        HostConfig: { PortBindings: { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
      });
      await state.start();
      await waitFor("the state database", 120_000, async () => {
        try {
          return sql("select 1") === "1" ? true : undefined;
        } catch {
          return undefined;
        }
      }, 500);
    },
    async remove() {
      await docker.getContainer(container).remove({ force: true, v: true }).catch(() => undefined);
    },
    backend(place) {
      const connStr = `postgres://${db.user}@127.0.0.1:${port}/${db.database}?sslmode=disable`;
      return place === "stack" ? { type: "pg", connStr } : { type: "pg", connStr, schemaName: place };
    },
    async state(place, experiment) {
      const schema = experiment ? `${schemaOf(place)}_exp_${experiment}` : schemaOf(place);
      const data = sql(`select coalesce((select data from ${schema}.states where name = 'default'), '') from (select 1) one`);
      return data || undefined;
    },
  };
}

/** The S3 backend on moto, locked by Terraform's S3 lock file. */
function s3Store(): StateStore {
  const bucket = "team-state";
  let server: S3Server;
  const keyOf = (place: string) => `litellm/${place}.tfstate`;
  return {
    type: "s3",
    env: { AWS_ACCESS_KEY_ID: "AKIASUITE", AWS_SECRET_ACCESS_KEY: `suite-${runId}` },
    lockWords: /Error acquiring the state lock/,
    async start() {
      server = await S3Server.start(images.moto, `e2e-state-s3-${runId}`);
      await server.createBucket(bucket);
    },
    async remove() {
      await server?.remove();
    },
    backend(place) {
      return { type: "s3", bucket, key: keyOf(place), region: "us-east-1", endpoint: server.endpoint };
    },
    async state(place, experiment) {
      return server.object(bucket, experiment ? `litellm/${place}.exp-${experiment}.tfstate` : keyOf(place));
    },
  };
}

const hashOf = (state: string | undefined) => state && createHash("sha256").update(state).digest("hex");
const resourceCount = (state: string | undefined) => (state ? (JSON.parse(state) as { resources: unknown[] }).resources.length : 0);
const liveliness = async (port: number) => (await fetch(`http://127.0.0.1:${port}/health/liveliness`, { signal: AbortSignal.timeout(5_000) })).status;

function newCheckout(label: string): Checkout {
  const checkout = new Checkout(label);
  checkouts.push(checkout);
  return checkout;
}

function expectDone(result: CommandResult, summary: RegExp): void {
  if (result.status !== 0) process.stdout.write(`--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-4000)}\n`);
  expect(result.status).toBe(0);
  expect(result.lastLine).toMatch(summary);
}

beforeAll(() => {
  if (unavailable) return;
  images = buildLocalImages();
  tagAsPinned(PINNED_LITELLM_IMAGE, images);
}, 20 * 60_000);

afterAll(() => {
  for (const checkout of checkouts) checkout.remove();
});

describeReal.each([["pg", pgStore], ["s3", s3Store]] as const)("the %s backend, through npm run deploy", (type, makeStore) => {
  const store = makeStore();
  const NAME = `${type}-${runId}`;
  const MIGRATED = `${type}m-${runId}`;
  // The stack's state sits at "stack" (pg: the default schema); the migrated stack's in a place of its own.
  const STACK = type === "pg" ? "stack" : NAME;
  const MIGRATED_PLACE = type === "pg" ? "migrated" : MIGRATED;
  let proxyPort: number;
  let migratedPort: number;
  let first: Checkout;
  let second: Checkout;

  const stackConfig = (name: string, port: number, changes: Record<string, unknown> = {}) => ({
    name,
    litellm: { image: PINNED_LITELLM_IMAGE, bindAddress: "127.0.0.1", port },
    database: { enabled: false },
    models: [{ preset: "mock" }],
    openclaw: { primary: "mock" },
    backend: store.backend(STACK),
    ...changes,
  });

  beforeAll(async () => {
    [proxyPort, migratedPort] = [await freePort(), await freePort()];
    await store.start();
  }, 5 * 60_000);

  afterAll(async () => {
    for (const name of [NAME, `${NAME}-exp-${type}x`, MIGRATED]) await removeLabelled(`${LABEL_PREFIX}.stack=${name}`);
    await store.remove();
  });

  test("deploys with its state in the backend and none in the checkout; serves; a second deploy changes nothing; npm run drift exits 0", async () => {
    first = newCheckout(`${type}-first`);
    first.writeConfig(stackConfig(NAME, proxyPort));
    expectDone(await first.npm("deploy", [], store.env), new RegExp(`^stack "${NAME}" deployed$`));
    expect(await liveliness(proxyPort)).toBe(200);
    expect(existsSync(join(first.dir, "terraform-state", `${NAME}.tfstate`))).toBe(false);
    expect(resourceCount(await store.state(STACK))).toBeGreaterThan(0);
    expectDone(await first.npm("deploy", [], store.env), new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
    expectDone(await first.npm("drift", [], store.env), new RegExp(`^no drift: stack "${NAME}" matches its configuration$`));
  });

  test("an experiment keeps its own place; deploying and destroying it leaves the stack's state as it was", async () => {
    const before = hashOf(await store.state(STACK));
    // Its own file: the stack's names a port, and an experiment beside it needs another.
    const file = join(first.dir, "experiment.config.yaml");
    writeFileSync(file, stringify(stackConfig(NAME, await freePort())));
    const env = { ...store.env, EXPERIMENT: `${type}x`, LITELLM_STACK_CONFIG: file };
    expectDone(await first.npm("deploy", [], env), new RegExp(`^stack "${NAME}-exp-${type}x" deployed$`));
    expect(resourceCount(await store.state(STACK, `${type}x`))).toBeGreaterThan(0);
    expectDone(await first.npm("destroy", [], env), new RegExp(`^stack "${NAME}-exp-${type}x" destroyed$`));
    expect(resourceCount(await store.state(STACK, `${type}x`))).toBe(0);
    expect(hashOf(await store.state(STACK))).toBe(before);
    expect(await liveliness(proxyPort)).toBe(200);
  });

  test("a deploy from a second checkout while the first one's apply holds the lock is refused with the lock's message and changes nothing", async () => {
    second = newCheckout(`${type}-second`);
    const changed = stackConfig(NAME, proxyPort, { models: [{ preset: "mock" }, { preset: "mock", id: "mock-two", name: "Mock two" }] });
    first.writeConfig(changed);
    second.writeConfig(changed);
    const litellm = resourceNames(NAME).litellm;
    const before = (await docker.getContainer(litellm).inspect()).Id;
    const applying = first.npm("deploy", [], store.env);
    // The catalog change replaces the container: once the old one is gone, the first apply holds the lock.
    await waitFor("the first deploy's apply to replace the container", 120_000, async () => {
      const current = await docker.getContainer(litellm).inspect().catch(() => undefined);
      return current?.Id !== before ? true : undefined;
    }, 200);
    const refused = await second.npm("deploy", [], store.env);
    expect(refused.status).toBe(1);
    expect(refused.stderr + refused.stdout).toMatch(store.lockWords);
    expect(refused.lastLine).toMatch(/another run holds this stack's state lock/);
    expectDone(await applying, new RegExp(`^stack "${NAME}" deployed$`));
    // The refused run changed nothing: the second checkout now finds the stack as the first left it.
    expectDone(await second.npm("deploy", [], store.env), new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
    expect(await liveliness(proxyPort)).toBe(200);
  });

  test("a local state moved to the backend with -migrate-state -force-copy keeps every resource: nothing is replaced", async () => {
    const checkout = newCheckout(`${type}-migrate`);
    const local = stackConfig(MIGRATED, migratedPort, { backend: { type: "local" } });
    checkout.writeConfig(local);
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${MIGRATED}" deployed$`));
    const containerId = (await docker.getContainer(resourceNames(MIGRATED).litellm).inspect()).Id;
    const localResources = resourceCount(readFileSync(join(checkout.dir, "terraform-state", `${MIGRATED}.tfstate`), "utf8"));

    checkout.writeConfig({ ...local, backend: store.backend(MIGRATED_PLACE) });
    const plain = await checkout.npm("deploy", [], store.env);
    expect(plain.status).toBe(1);
    expect(plain.lastLine).toMatch(/the state backend in the configuration is not the one Terraform last used.*-migrate-state/);

    expectDone(await checkout.npm("deploy", ["-migrate-state", "-force-copy"], store.env), new RegExp(`^stack "${MIGRATED}" is up to date: nothing changed$`));
    expect(resourceCount(await store.state(MIGRATED_PLACE))).toBe(localResources);
    expect((await docker.getContainer(resourceNames(MIGRATED).litellm).inspect()).Id).toBe(containerId);
    expectDone(await checkout.npm("destroy", [], store.env), new RegExp(`^stack "${MIGRATED}" destroyed$`));
    expect(resourceCount(await store.state(MIGRATED_PLACE))).toBe(0);
  });

  test("npm run destroy leaves no container or network of the stack and an empty state", async () => {
    expectDone(await first.npm("destroy", [], store.env), new RegExp(`^stack "${NAME}" destroyed$`));
    expect(await objectsLabelled(`${LABEL_PREFIX}.stack=${NAME}`)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(resourceCount(await store.state(STACK))).toBe(0);
  });
});
