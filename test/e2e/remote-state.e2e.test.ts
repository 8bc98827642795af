/**
 * Remote state for real: the pg backend on a real Postgres, through `npm run deploy` / `destroy`
 * with the real Terraform and providers. What a team's CI jobs rely on: the state is in the
 * database, not in the checkout; an experiment keeps its own schema; a second run while the first
 * holds the lock is refused with the lock's message and changes nothing; a local state moved to
 * the backend with `-migrate-state -force-copy` keeps every resource.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { LABEL_PREFIX, resourceNames } from "../../src/containers/service-specs";
import { Checkout, type CommandResult, realPathUnavailableReason } from "./harness/checkout";
import { freePort } from "./harness/deployment";
import { assertEngineAnswers, docker, objectsLabelled, removeLabelled, SUITE_LABEL } from "./harness/engine";
import { buildLocalImages, tagAsPinned } from "./harness/images";
import { waitFor } from "./harness/wait";

assertEngineAnswers();
const unavailable = realPathUnavailableReason();
if (unavailable) console.warn(`SKIPPED the remote-state suite (npm run deploy with the real providers): ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const NAME = `pg-${runId}`;
const MIGRATED = `pgm-${runId}`;
const STATE_DB = { user: "terraform", password: `state-pw-${runId}`, database: "tfstate" };
const POSTGRES_CONTAINER = `e2e-state-postgres-${runId}`;
const PG_ENV = { PGPASSWORD: STATE_DB.password };

let pgPort: number;
let proxyPort: number;
let migratedPort: number;
const checkouts: Checkout[] = [];

const connStr = () => `postgres://${STATE_DB.user}@127.0.0.1:${pgPort}/${STATE_DB.database}?sslmode=disable`;
const stackConfig = (name: string, port: number, changes: Record<string, unknown> = {}) => ({
  name,
  litellm: { image: PINNED_LITELLM_IMAGE, bindAddress: "127.0.0.1", port },
  database: { enabled: false },
  models: [{ preset: "mock" }],
  openclaw: { primary: "mock" },
  backend: { type: "pg", connStr: connStr() },
  ...changes,
});

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

/** One value from the state database, asked with psql in its container. */
function sql(query: string): string {
  const result = spawnSync("docker", ["exec", "-i", "-e", `PGPASSWORD=${STATE_DB.password}`, POSTGRES_CONTAINER, "psql", "-h", "127.0.0.1", "-U", STATE_DB.user, "-d", STATE_DB.database, "-At", "-v", "ON_ERROR_STOP=1"], {
    encoding: "utf8",
    input: `${query};\n`,
  });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** The state Terraform keeps in a schema ("default" workspace), hashed, or undefined when there is none. */
function stateHash(schema: string): string | undefined {
  const data = sql(`select coalesce((select data from ${schema}.states where name = 'default'), '') from (select 1) one`);
  return data ? createHash("sha256").update(data).digest("hex") : undefined;
}
const resourcesInState = (schema: string): number => (JSON.parse(sql(`select data from ${schema}.states where name = 'default'`)) as { resources: unknown[] }).resources.length;

const liveliness = async (port: number) => (await fetch(`http://127.0.0.1:${port}/health/liveliness`, { signal: AbortSignal.timeout(5_000) })).status;

beforeAll(async () => {
  if (unavailable) return;
  const local = buildLocalImages();
  tagAsPinned(PINNED_LITELLM_IMAGE, local);
  [pgPort, proxyPort, migratedPort] = [await freePort(), await freePort(), await freePort()];
  const state = await docker.createContainer({
    name: POSTGRES_CONTAINER,
    Image: local.postgres,
    Env: [`POSTGRES_USER=${STATE_DB.user}`, `POSTGRES_PASSWORD=${STATE_DB.password}`, `POSTGRES_DB=${STATE_DB.database}`],
    Labels: { [SUITE_LABEL]: "true" },
    ExposedPorts: { "5432/tcp": {} },
    HostConfig: { PortBindings: { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: String(pgPort) }] } },
  });
  await state.start();
  await waitFor("the state database", 120_000, async () => {
    try {
      return sql("select 1") === "1" ? true : undefined;
    } catch {
      return undefined;
    }
  }, 500);
}, 10 * 60_000);

afterAll(async () => {
  if (unavailable) return;
  for (const checkout of checkouts) checkout.remove();
  for (const name of [NAME, `${NAME}-exp-pgx`, MIGRATED]) await removeLabelled(`${LABEL_PREFIX}.stack=${name}`);
  await docker.getContainer(POSTGRES_CONTAINER).remove({ force: true, v: true }).catch(() => undefined);
});

describeReal("the pg backend on a real Postgres, through npm run deploy", () => {
  let first: Checkout;
  let second: Checkout;

  test("deploys with its state in Postgres and none in the checkout; serves; a second deploy changes nothing; the drift check exits 0", async () => {
    first = newCheckout("pg-first");
    first.writeConfig(stackConfig(NAME, proxyPort));
    expectDone(await first.npm("deploy", [], PG_ENV), new RegExp(`^stack "${NAME}" deployed$`));
    expect(await liveliness(proxyPort)).toBe(200);
    expect(existsSync(join(first.dir, "terraform-state", `${NAME}.tfstate`))).toBe(false);
    expect(resourcesInState("terraform_remote_state")).toBeGreaterThan(0);
    expectDone(await first.npm("deploy", [], PG_ENV), new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
    const drift = await first.terraform(NAME, ["plan", "-detailed-exitcode", "-input=false", "-no-color"], PG_ENV);
    expect(drift.status).toBe(0);
  });

  test("an experiment keeps its own schema; deploying and destroying it leaves the stack's state as it was", async () => {
    const before = stateHash("terraform_remote_state");
    // Its own file: the stack's names a port, and an experiment beside it needs another.
    const file = join(first.dir, "experiment.config.yaml");
    writeFileSync(file, stringify(stackConfig(NAME, await freePort())));
    const env = { ...PG_ENV, EXPERIMENT: "pgx", LITELLM_STACK_CONFIG: file };
    expectDone(await first.npm("deploy", [], env), new RegExp(`^stack "${NAME}-exp-pgx" deployed$`));
    expect(resourcesInState("terraform_remote_state_exp_pgx")).toBeGreaterThan(0);
    expectDone(await first.npm("destroy", [], env), new RegExp(`^stack "${NAME}-exp-pgx" destroyed$`));
    expect(resourcesInState("terraform_remote_state_exp_pgx")).toBe(0);
    expect(stateHash("terraform_remote_state")).toBe(before);
    expect(await liveliness(proxyPort)).toBe(200);
  });

  test("a deploy from a second checkout while the first one's apply holds the lock is refused with the lock's message and changes nothing", async () => {
    second = newCheckout("pg-second");
    const changed = stackConfig(NAME, proxyPort, { models: [{ preset: "mock" }, { preset: "mock", id: "mock-two", name: "Mock two" }] });
    first.writeConfig(changed);
    second.writeConfig(changed);
    const litellm = resourceNames(NAME).litellm;
    const before = (await docker.getContainer(litellm).inspect()).Id;
    const applying = first.npm("deploy", [], PG_ENV);
    // The catalog change replaces the container: once the old one is gone, the first apply holds the lock.
    await waitFor("the first deploy's apply to replace the container", 120_000, async () => {
      const current = await docker.getContainer(litellm).inspect().catch(() => undefined);
      return current?.Id !== before ? true : undefined;
    }, 200);
    const refused = await second.npm("deploy", [], PG_ENV);
    expect(refused.status).toBe(1);
    expect(refused.stderr + refused.stdout).toMatch(/Error acquiring the state lock/);
    expect(refused.lastLine).toMatch(/another run holds this stack's state lock/);
    expectDone(await applying, new RegExp(`^stack "${NAME}" deployed$`));
    // The refused run changed nothing: the second checkout now finds the stack as the first left it.
    expectDone(await second.npm("deploy", [], PG_ENV), new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
    expect(await liveliness(proxyPort)).toBe(200);
  });

  test("a local state moved to Postgres with -migrate-state -force-copy keeps every resource: nothing is replaced", async () => {
    const checkout = newCheckout("pg-migrate");
    const local = stackConfig(MIGRATED, migratedPort, { backend: { type: "local" } });
    checkout.writeConfig(local);
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${MIGRATED}" deployed$`));
    const containerId = (await docker.getContainer(resourceNames(MIGRATED).litellm).inspect()).Id;
    const localResources = (JSON.parse(readFileSync(join(checkout.dir, "terraform-state", `${MIGRATED}.tfstate`), "utf8")) as { resources: unknown[] }).resources.length;

    checkout.writeConfig({ ...local, backend: { type: "pg", connStr: connStr(), schemaName: "migrated" } });
    const plain = await checkout.npm("deploy", [], PG_ENV);
    expect(plain.status).toBe(1);
    expect(plain.lastLine).toMatch(/the state backend in the configuration is not the one Terraform last used.*-migrate-state/);

    expectDone(await checkout.npm("deploy", ["-migrate-state", "-force-copy"], PG_ENV), new RegExp(`^stack "${MIGRATED}" is up to date: nothing changed$`));
    expect(resourcesInState("migrated")).toBe(localResources);
    expect((await docker.getContainer(resourceNames(MIGRATED).litellm).inspect()).Id).toBe(containerId);
    expectDone(await checkout.npm("destroy", [], PG_ENV), new RegExp(`^stack "${MIGRATED}" destroyed$`));
    expect(resourcesInState("migrated")).toBe(0);
  });

  test("npm run destroy leaves no container or network of the stack and an empty state", async () => {
    expectDone(await first.npm("destroy", [], PG_ENV), new RegExp(`^stack "${NAME}" destroyed$`));
    expect(await objectsLabelled(`${LABEL_PREFIX}.stack=${NAME}`)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(resourcesInState("terraform_remote_state")).toBe(0);
  });
});
