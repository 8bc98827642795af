/**
 * Backups and restores on the swarm profile, through the user's commands with the real providers:
 * the stack's Postgres runs as a swarm task and LiteLLM as a service behind HAProxy. `npm run
 * backup` dumps the task's database, `npm run restore` puts it back and has swarm start LiteLLM's
 * tasks anew (nothing drifts from the state), and a LiteLLM image change is backed up first. The
 * container profile's backups, restores and Postgres major versions are in database.e2e.test.ts.
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { LABEL_PREFIX } from "../../src/specs/service-specs";
import { Checkout, type CommandResult, realPathUnavailableReason } from "./harness/checkout";
import { freePort } from "./harness/deployment";
import { assertEngineAnswers, removeLabelled } from "./harness/engine";
import { buildLocalImages, tagAsPinned } from "./harness/images";
import { chat } from "./harness/proxy-client";
import { swarmManagerNow } from "./harness/swarm";
import { waitFor } from "./harness/wait";

assertEngineAnswers();
const unavailable = realPathUnavailableReason() ?? (swarmManagerNow() ? undefined : "this engine is not a swarm manager (`.ci/run` runs `docker swarm init`)");
if (unavailable) console.warn(`SKIPPED backups on the swarm profile: ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const NAME = `bsw-${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const RETAGGED = `${PINNED_LITELLM_IMAGE}-e2e-backup`;
/** The swarm profile publishes on every node's interfaces: it requires a master key of the user's own. */
const ENV = { LITELLM_MASTER_KEY: `sk-e2e-bsw-${process.pid.toString(36)}-0123456789abcdef` };
let checkout: Checkout;
let port: number;
let images: { litellm: string; postgres: string; haproxy: string };
let key: string;
/** The node that keeps Postgres and its volume: this single-node swarm's one node. */
let databaseNode: string;

const stackConfig = (litellmImage: string) => ({
  name: NAME,
  profile: "swarm",
  swarm: { replicas: 1, loadBalancerImage: images.haproxy, databaseNode },
  litellm: { image: litellmImage, port },
  database: { image: images.postgres },
  models: [{ preset: "mock" }],
  openclaw: { primary: "mock" },
  keys: [{ alias: "openclaw", maxBudget: 50 }],
});
const baseUrl = () => `http://127.0.0.1:${port}`;
const ask = (value: string) => chat(baseUrl(), value, { model: "mock", messages: [{ role: "user", content: "hi" }] });

function expectDone(result: CommandResult, summary: RegExp): void {
  if (result.status !== 0) process.stdout.write(`--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}\n`);
  expect(result.status).toBe(0);
  expect(result.lastLine).toMatch(summary);
}

/** One value from the stack's database, asked in the Postgres task's container. */
function sql(query: string): string {
  const id = spawnSync("docker", ["ps", "-q", "--filter", `label=${LABEL_PREFIX}.stack=${NAME}`, "--filter", `label=${LABEL_PREFIX}.component=postgres`], { encoding: "utf8" }).stdout.trim();
  const result = spawnSync("docker", ["exec", id, "psql", "-U", "litellm", "-d", "litellm", "-At", "-c", query], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout.trim();
}

beforeAll(async () => {
  if (unavailable) return;
  const local = buildLocalImages();
  images = { litellm: tagAsPinned(PINNED_LITELLM_IMAGE, local), postgres: tagAsPinned("postgres:16.10", local), haproxy: tagAsPinned("haproxy:3.2.6", local) };
  // A LiteLLM "release change": the same image under another tag (a name the suite owns).
  spawnSync("docker", ["tag", images.litellm, RETAGGED]);
  port = await freePort();
  databaseNode = spawnSync("docker", ["info", "--format", "{{.Name}}"], { encoding: "utf8" }).stdout.trim();
  checkout = new Checkout("backup-swarm");
  checkout.writeConfig(stackConfig(images.litellm));
}, 20 * 60_000);

afterAll(async () => {
  if (unavailable || !checkout) return;
  await checkout.npm("destroy", [], { ...ENV, LITELLM_DELETE_DATA: "yes" }, false);
  await removeLabelled(`${LABEL_PREFIX}.stack=${NAME}`);
  checkout.remove();
});

describeReal("backups and restores on the swarm profile", () => {
  test("npm run backup dumps the Postgres task's database: the key and its spend rows", async () => {
    expectDone(await checkout.npm("deploy", [], ENV), new RegExp(`^stack "${NAME}" deployed$`));
    key = (await checkout.npm("keys", ["get", "openclaw"], ENV, false)).stdout.trim();
    for (let i = 0; i < 3; i++) expect((await ask(key)).status).toBe(200);
    await waitFor("three spend rows", 120_000, async () => (Number(sql('select count(*) from "LiteLLM_SpendLogs"')) >= 3 ? true : undefined), 3_000);
    const backup = await checkout.npm("backup", [], ENV, false);
    expect(backup.status).toBe(0);
    expect(backup.stdout).toMatch(/rows: keys 1, spend logs [3-9]\d*, budgets \d+; pg_restore reads [1-9]\d* tables back from it/);
  });

  test("npm run restore -- FILE --replace puts it back, starts LiteLLM's tasks anew, and nothing drifts", async () => {
    const file = /^backup of stack "[^"]+": (backups\/\S+\.dump) /m.exec((await checkout.npm("backup", [], ENV, false)).stdout)?.[1] as string;
    const rows = sql('select count(*) from "LiteLLM_SpendLogs"');
    // A row the backup does not have: the restore takes it away.
    sql(`delete from "LiteLLM_SpendLogs" where request_id = (select request_id from "LiteLLM_SpendLogs" limit 1)`);
    const task = () => spawnSync("docker", ["ps", "-q", "--filter", `label=${LABEL_PREFIX}.stack=${NAME}`, "--filter", `label=${LABEL_PREFIX}.component=litellm`], { encoding: "utf8" }).stdout.trim();
    const before = task();
    const restored = await checkout.npm("restore", [file, "--replace"], ENV);
    expectDone(restored, new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
    expect(restored.stdout).toContain(`restored into stack "${NAME}": keys 1, spend logs ${rows}`);
    expect(sql('select count(*) from "LiteLLM_SpendLogs"')).toBe(rows);
    expect(task()).not.toBe(before);
    expect((await ask(key)).status).toBe(200);
    expectDone(await checkout.npm("drift", [], ENV), new RegExp(`^no drift: stack "${NAME}" matches its configuration$`));
  });

  test("a LiteLLM image change is backed up first, then rolled out", async () => {
    checkout.writeConfig(stackConfig(RETAGGED));
    const deployed = await checkout.npm("deploy", [], ENV);
    expectDone(deployed, new RegExp(`^stack "${NAME}" deployed$`));
    const file = /^backup before changing LiteLLM \S+ -> \S+: (backups\/\S+-pre-deploy\.dump) \(keys 1, spend logs \d+\)$/m.exec(deployed.stdout)?.[1];
    expect(file).toBeDefined();
    expect(statSync(join(checkout.dir, file as string)).size).toBeGreaterThan(0);
    await waitFor("the key through the new release", 120_000, async () => ((await ask(key)).status === 200 ? true : undefined));
  });
});
