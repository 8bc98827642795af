/**
 * LiteLLM's database through the user's commands (`npm run deploy` with the real providers, real
 * Postgres, LiteLLM with Prisma): a stack deployed on an older LiteLLM release is moved to the
 * pin and keeps its keys, budgets and spend rows, its migrations applied once; real requests, served
 * and failed, in `npm run logs` and `npm run usage`; then catalog changes in a row, on a machine
 * kept busy, each replacing LiteLLM on the existing database.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadStackConfig } from "../../src/catalog/load-config";
import { PINNED_LITELLM_IMAGE, PINNED_LITELLM_VERSION } from "../../src/catalog/pinned-images";
import { loadPresets } from "../../src/catalog/presets";
import { tokenHash } from "../../src/proxy-admin/key-plan";
import { LiteLLMAdmin } from "../../src/proxy-admin/litellm-admin";
import { LABEL_PREFIX, resourceNames } from "../../src/specs/service-specs";
import { Checkout, type CommandResult, realPathUnavailableReason } from "./harness/checkout";
import { ContinuousLoad } from "./harness/continuous-load";
import { freePort } from "./harness/deployment";
import { assertEngineAnswers, docker, removeLabelled } from "./harness/engine";
import { buildLocalImages, imageId, imageVersions, tagAsPinned } from "./harness/images";
import { chat } from "./harness/proxy-client";
import { waitFor } from "./harness/wait";

assertEngineAnswers();
const unavailable = realPathUnavailableReason();
if (unavailable) console.warn(`SKIPPED the database suite (npm run deploy with the real providers): ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const PINNED = PINNED_LITELLM_IMAGE;
/** The release before the pin (test/e2e/images/versions.env), with older migrations. */
const PREVIOUS_VERSION = imageVersions().LITELLM_PREVIOUS_VERSION;
const PREVIOUS = `ghcr.io/berriai/litellm-database:v${PREVIOUS_VERSION}`;
const NAME = `db-${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
/** 10 were run here for the issue (each about 2.5 min under the busy loops); CI runs 3. */
const REDEPLOYS = Number(process.env.LITELLM_E2E_DB_REDEPLOYS ?? 3);

let checkout: Checkout;
let port: number;
let images: { postgres: string };
/** Postgres of the next major version, by image id (the suite's own build of Debian 13's 17). */
let nextPostgres: string;

const stackConfig = (litellmImage: string, extraModels: unknown[] = [], changes: Record<string, unknown> = {}) => ({
  name: NAME,
  litellm: { image: litellmImage, bindAddress: "127.0.0.1", port },
  database: { image: images.postgres },
  models: [{ preset: "mock" }, ...extraModels],
  router: { numRetries: 0 },
  openclaw: { primary: "mock" },
  keys: [{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }],
  ...changes,
});
/** A mock model with a price, and a real deployment whose provider is down (nothing listens on port 9). */
const PRICED = { preset: "mock", id: "mock-priced", name: "Mock with a price", cost: { input: 1000, output: 1000 } };
const DOWN = { id: "provider-down", name: "Provider that is down", model: "openai/gpt-4o", apiKeyEnv: "E2E_DOWN_PROVIDER_KEY", apiBase: "http://127.0.0.1:9/v1", contextWindow: 8192, maxTokens: 1024 };
const DOWN_ENV = { E2E_DOWN_PROVIDER_KEY: "sk-e2e-down-provider-000000" };
/** One model id, two deployments with prices of their own: usage and logs say which served what. */
const PAIR = {
  preset: "mock",
  id: "mock-pair",
  name: "Mock served by two deployments",
  deployments: [
    { id: "cheap", model: "openai/mock-cheap", mockResponse: "cheap", cost: { input: 100, output: 100 } },
    { id: "dear", model: "openai/mock-dear", mockResponse: "dear", cost: { input: 1000, output: 1000 } },
  ],
};

interface LogLine {
  readonly model: string;
  readonly deployment: string;
  readonly status: "success" | "failure";
  readonly cost: number;
  readonly key: string;
  readonly request?: unknown;
  readonly response?: unknown;
}

/** `npm run logs -- --json ...`: one object per line. */
async function logLines(args: string[]): Promise<{ lines: LogLine[]; text: string }> {
  const result = await checkout.npm("logs", ["--json", "--since", "1h", "--key", "openclaw", ...args], {}, false);
  expect(result.status).toBe(0);
  return { lines: result.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as LogLine), text: result.stdout };
}
const baseUrl = () => `http://127.0.0.1:${port}`;
const names = () => resourceNames(NAME);

function expectDone(result: CommandResult, summary: RegExp): void {
  if (result.status !== 0) process.stdout.write(`--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-6000)}\n`);
  expect(result.status).toBe(0);
  expect(result.lastLine).toMatch(summary);
}

/** One value from LiteLLM's database, asked in the Postgres container with its own credentials. */
function sql(query: string): string {
  const result = spawnSync(
    "docker",
    ["exec", "-i", names().postgres, "sh", "-c", 'PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -At -v ON_ERROR_STOP=1'],
    { encoding: "utf8", input: `${query};\n` },
  );
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** What must survive: keys, their budgets, spend rows, and the migrations applied (each once). */
function databaseFacts() {
  return {
    keys: sql(`select count(*) from "LiteLLM_VerificationToken"`),
    openclawBudget: sql(`select max_budget from "LiteLLM_VerificationToken" where key_alias like '%openclaw'`),
    spendRows: Number(sql(`select count(*) from "LiteLLM_SpendLogs"`)),
    migrations: Number(sql(`select count(*) from _prisma_migrations where finished_at is not null and rolled_back_at is null`)),
    appliedTwice: sql(`select count(*) from (select migration_name from _prisma_migrations group by migration_name having count(*) > 1) d`),
  };
}

/** The facts once LiteLLM's batched spend writes have landed: two reads 12 s apart that agree. */
async function settled(): Promise<ReturnType<typeof databaseFacts>> {
  let last = JSON.stringify(databaseFacts());
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const now = JSON.stringify(databaseFacts());
    if (now === last) return JSON.parse(now);
    last = now;
  }
  throw new Error("LiteLLM's spend writes did not settle within two minutes");
}

const postgresNow = () => spawnSync("docker", ["inspect", "--format", "{{.Id}}", names().postgres], { encoding: "utf8" }).stdout.trim();

async function keyValue(): Promise<string> {
  const result = await checkout.npm("keys", ["get", "openclaw"], {}, false);
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

/** Two busy loops, one per core of a CI runner: "a machine loaded by other work". */
function busyMachine(): ChildProcess[] {
  return [0, 1].map(() => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
}

beforeAll(async () => {
  if (unavailable) return;
  const local = buildLocalImages();
  tagAsPinned(PINNED, local);
  tagAsPinned(PREVIOUS, local, local.litellmPrevious);
  images = { postgres: tagAsPinned("postgres:16.10", local) };
  nextPostgres = imageId(local.postgresNext);
  port = await freePort();
  checkout = new Checkout("database");
});

afterAll(async () => {
  if (unavailable || !checkout) return;
  await checkout.npm("destroy", [], { LITELLM_DELETE_DATA: "yes" }, false);
  await removeLabelled(`${LABEL_PREFIX}.stack=${NAME}`);
  checkout.remove();
});

describeReal("LiteLLM's database through npm run deploy: an upgrade, then ten catalog changes under load", () => {
  let key: string;
  let before: ReturnType<typeof databaseFacts>;
  let postgresId: string;
  /** The backup the release change took, and what it said it holds. */
  let preUpgrade: { file: string; keys: number; spendRows: number };

  test(`a stack on the release before the pin (${PREVIOUS_VERSION}): its key, budget and spend rows land in Postgres`, async () => {
    checkout.writeConfig(stackConfig(PREVIOUS));
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${NAME}" deployed$`));
    key = await keyValue();
    for (let i = 0; i < 3; i++) expect((await chat(baseUrl(), key, { model: "mock", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
    // LiteLLM writes spend in batches (about every 10 s): wait for the three rows.
    await waitFor("three spend rows in Postgres", 120_000, async () => (databaseFacts().spendRows >= 3 ? true : undefined), 3_000);
    before = databaseFacts();
    expect(before).toMatchObject({ keys: "1", openclawBudget: "50", appliedTwice: "0" });
    expect(before.migrations).toBeGreaterThan(200);
    postgresId = (await docker.getContainer(names().postgres).inspect()).Id;
  });

  test(`moving to the pin (${PINNED_LITELLM_VERSION}) replaces LiteLLM only, applies the new migrations once, and keeps every key, budget and spend row`, async () => {
    checkout.writeConfig(stackConfig(PINNED));
    const upgraded = await checkout.npm("deploy");
    expectDone(upgraded, new RegExp(`^stack "${NAME}" deployed$`));
    // A release runs its migrations one way: a verified backup was taken before it.
    const backedUp = /^backup before changing LiteLLM (\S+) -> (\S+): (backups\/\S+-pre-deploy\.dump) \(keys (\d+), spend logs (\d+)\)$/m.exec(upgraded.stdout);
    expect(backedUp?.slice(1, 3)).toEqual([PREVIOUS, PINNED]);
    preUpgrade = { file: backedUp?.[3] as string, keys: Number(backedUp?.[4]), spendRows: Number(backedUp?.[5]) };
    expect(preUpgrade).toMatchObject({ keys: 1, spendRows: before.spendRows });
    expect(statSync(join(checkout.dir, preUpgrade.file)).mode & 0o777).toBe(0o600);
    expect((await docker.getContainer(names().postgres).inspect()).Id).toBe(postgresId);
    const after = databaseFacts();
    process.stdout.write(`migrations: ${before.migrations} on ${PREVIOUS_VERSION}, ${after.migrations} on ${PINNED_LITELLM_VERSION}\n`);
    expect(after).toMatchObject({ keys: before.keys, openclawBudget: "50", appliedTwice: "0" });
    expect(after.spendRows).toBeGreaterThanOrEqual(before.spendRows);
    expect(after.migrations).toBeGreaterThanOrEqual(before.migrations);
    expect(await keyValue()).toBe(key);
    expect((await chat(baseUrl(), key, { model: "mock", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);

    // A deploy with nothing to change starts nothing, so no migration runs again.
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
    expect(databaseFacts().migrations).toBe(after.migrations);
  });

  test("served and failed requests appear in npm run logs and npm run usage with key, model, status and cost; bodies are kept only when storeRequestBodies says so", async () => {
    checkout.writeConfig(stackConfig(PINNED, [PRICED, DOWN, PAIR], { logging: { storeRequestBodies: false, retention: "30d" } }));
    const catalogChange = await checkout.npm("deploy", [], DOWN_ENV);
    expectDone(catalogChange, new RegExp(`^stack "${NAME}" deployed$`));
    expect(catalogChange.stdout).not.toMatch(/backup before changing/); // no image changed
    const ask = (model: string, content: string) => chat(baseUrl(), key, { model, messages: [{ role: "user", content }] });
    for (let i = 0; i < 2; i++) expect((await ask("mock-priced", `omitted-${NAME}`)).status).toBe(200);
    expect((await ask("provider-down", `omitted-${NAME}`)).status).toBeGreaterThanOrEqual(400);
    const pairAnswers: string[] = [];
    for (let i = 0; i < 12; i++) pairAnswers.push((await ask("mock-pair", "hi")).body.choices[0].message.content);

    // LiteLLM writes its logs in batches: wait for the rows, then read them as a user would.
    const { lines, text } = await waitFor("fifteen requests in npm run logs", 120_000, async () => {
      const read = await logLines(["--show-bodies"]);
      const mine = read.lines.filter((l) => ["mock-priced", "provider-down", "mock-pair"].includes(l.model));
      return mine.length >= 15 ? { ...read, lines: mine } : undefined;
    }, 5_000);
    // Which deployment served each request of the pair, by the catalog's deployment id.
    const pairLines = lines.filter((l) => l.model === "mock-pair");
    for (const name of ["cheap", "dear"]) {
      expect(pairLines.filter((l) => l.deployment === `mock-pair.${name}`)).toHaveLength(pairAnswers.filter((a) => a === name).length);
    }
    const served = lines.filter((l) => l.model === "mock-priced");
    expect(served).toHaveLength(2);
    for (const line of served) expect(line).toMatchObject({ status: "success", key: expect.stringMatching(/openclaw$/), cost: expect.any(Number) });
    expect(served.every((l) => l.cost > 0)).toBe(true);
    expect(lines.filter((l) => l.model === "provider-down")).toEqual([expect.objectContaining({ status: "failure" })]);
    expect(text).not.toContain(`omitted-${NAME}`);
    expect((await logLines(["--status", "failure"])).lines.every((l) => l.status === "failure")).toBe(true);

    const usage = await checkout.npm("usage", ["--json"], {}, false);
    expect(usage.status).toBe(0);
    const rows = (JSON.parse(usage.stdout).rows ?? []) as { alias: string; model: string; requests: number; failed: number; spend: number }[];
    const pricedRow = rows.find((r) => /openclaw$/.test(r.alias) && r.model === "mock-priced");
    expect(pricedRow).toMatchObject({ requests: 2, failed: 0 });
    expect(pricedRow!.spend).toBeCloseTo(served.reduce((sum, l) => sum + l.cost, 0), 6);
    expect(rows.find((r) => /openclaw$/.test(r.alias) && r.model === "provider-down")).toMatchObject({ requests: 0, failed: 1 });

    // --by deployment: one row per deployment of the pair, its requests and its own price.
    const byDeployment = await checkout.npm("usage", ["--json", "--by", "deployment"], {}, false);
    expect(byDeployment.status).toBe(0);
    const deploymentRows = (JSON.parse(byDeployment.stdout).rows as { alias: string; model: string; deployment: string; requests: number; spend: number }[]).filter(
      (r) => /openclaw$/.test(r.alias) && r.model === "mock-pair",
    );
    process.stdout.write(`usage --by deployment: ${deploymentRows.map((r) => `${r.deployment} ${r.requests} requests $${r.spend}`).join(", ")}\n`);
    expect(deploymentRows.map((r) => r.deployment).sort()).toEqual(["mock-pair.cheap", "mock-pair.dear"].filter((d) => pairAnswers.includes(d.split(".")[1])));
    for (const row of deploymentRows) {
      const served = pairLines.filter((l) => l.deployment === row.deployment);
      expect(row.requests).toBe(served.length);
      expect(row.spend).toBeCloseTo(served.reduce((sum, l) => sum + l.cost, 0), 6);
    }
    const spendPerRequest = Object.fromEntries(deploymentRows.map((r) => [r.deployment, r.spend / r.requests]));
    if (spendPerRequest["mock-pair.cheap"] && spendPerRequest["mock-pair.dear"]) {
      expect(spendPerRequest["mock-pair.dear"]).toBeCloseTo(spendPerRequest["mock-pair.cheap"] * 10, 6);
    }

    checkout.writeConfig(stackConfig(PINNED, [PRICED, DOWN], { logging: { storeRequestBodies: true, retention: "30d" } }));
    expectDone(await checkout.npm("deploy", [], DOWN_ENV), new RegExp(`^stack "${NAME}" deployed$`));
    expect((await ask("mock-priced", `stored-${NAME}`)).status).toBe(200);
    await waitFor("the stored body in npm run logs --show-bodies", 120_000, async () => ((await logLines(["--show-bodies"])).text.includes(`stored-${NAME}`) ? true : undefined), 5_000);
  }, 10 * 60_000);

  test(`${REDEPLOYS} catalog changes in a row on a busy machine: each replaces LiteLLM on the existing database and serves the new model`, async () => {
    const burners = busyMachine();
    const load = new ContinuousLoad({ baseUrl: baseUrl(), key, model: "mock" }, 2);
    const times: number[] = [];
    try {
      for (let round = 1; round <= REDEPLOYS; round++) {
        const model = `mock-r${round}`;
        checkout.writeConfig(stackConfig(PINNED, [{ preset: "mock", id: model, name: `Round ${round}`, mockResponse: `round ${round}` }]));
        const deployed = await checkout.npm("deploy");
        times.push(deployed.seconds);
        expectDone(deployed, new RegExp(`^stack "${NAME}" deployed$`));
        const answer = await chat(baseUrl(), key, { model, messages: [{ role: "user", content: "hi" }] });
        expect(answer.status).toBe(200);
        expect(answer.body.choices[0].message.content).toBe(`round ${round}`);
      }
    } finally {
      for (const burner of burners) burner.kill("SIGKILL");
      const report = await load.stop();
      process.stdout.write(`${times.length} catalog-change deploys on a busy machine: ${times.map((t) => t.toFixed(1)).join(", ")} s; ${report.sent} requests meanwhile\n`);
    }
    const after = databaseFacts();
    expect(after).toMatchObject({ keys: before.keys, openclawBudget: "50", appliedTwice: "0" });
    expect(after.spendRows).toBeGreaterThan(before.spendRows);
    expect((await docker.getContainer(names().postgres).inspect()).Id).toBe(postgresId);
  }, REDEPLOYS * 5 * 60_000);

  test("npm run backup: an owner-only dump whose rows, restored into a scratch Postgres, are the stack's", async () => {
    const facts = await settled(); // the busy test before it leaves spend writes in LiteLLM's batches
    expect(Number(facts.keys)).toBeGreaterThan(0);
    expect(facts.spendRows).toBeGreaterThan(0);
    const result = await checkout.npm("backup", [], {}, false);
    expect(result.status).toBe(0);
    const [, file] = /^backup of stack "[^"]+": (backups\/\S+\.dump) \([\d.]+ (?:KiB|MiB), readable by its owner only\)$/m.exec(result.stdout) ?? [];
    expect(file).toBeDefined();
    expect(result.stdout).toContain(`rows: keys ${facts.keys}, spend logs ${facts.spendRows}, budgets `);
    expect(result.stdout).toMatch(/pg_restore reads [1-9]\d* tables back from it/);
    expect(result.stdout).toMatch(/not in it: LITELLM_SALT_KEY/);
    const path = join(checkout.dir, file);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    // Read back by another Postgres of the same image: the rows are there, not only a file that parses.
    const scratch = `${NAME}-restore-check`;
    const run = (args: string[], input?: Buffer) => spawnSync("docker", args, { encoding: "utf8", input });
    expect(run(["run", "-d", "--name", scratch, "-e", "POSTGRES_USER=check", "-e", "POSTGRES_PASSWORD=check", "-e", "POSTGRES_DB=check", images.postgres]).status).toBe(0);
    try {
      await waitFor("the scratch Postgres", 60_000, async () => run(["exec", scratch, "pg_isready", "-h", "127.0.0.1", "-U", "check"]).status === 0 || undefined);
      const restored = run(["exec", "-i", scratch, "pg_restore", "-U", "check", "-d", "check", "--no-owner", "--exit-on-error"], readFileSync(path));
      expect(restored.stderr).toBe("");
      const counted = run(["exec", scratch, "psql", "-U", "check", "-d", "check", "-At", "-c", `select count(*) from "LiteLLM_VerificationToken" where token = '${tokenHash(key)}'`]);
      expect(counted.stdout.trim()).toBe("1");
      const spend = run(["exec", scratch, "psql", "-U", "check", "-d", "check", "-At", "-c", `select count(*) from "LiteLLM_SpendLogs"`]);
      expect(Number(spend.stdout.trim())).toBe(facts.spendRows);
    } finally {
      run(["rm", "-f", "-v", scratch]);
    }
  });

  test("npm run backup with Postgres stopped: one line naming the cause and the next step, no file left", async () => {
    const folder = join(checkout.dir, "backups", NAME);
    const before = readdirSync(folder);
    expect(spawnSync("docker", ["stop", names().postgres]).status).toBe(0);
    try {
      const result = await checkout.npm("backup", [], {}, false);
      expect(result.status).toBe(1);
      expect(result.lastLine).toBe(`error: stack "${NAME}" has no running Postgres container: deploy it (npm run deploy), or start it, then run this again`);
      expect(readdirSync(folder)).toEqual(before);
    } finally {
      spawnSync("docker", ["start", names().postgres]);
    }
  });

  test("a Postgres major version change is refused before anything changes, with the commands that move the data", async () => {
    const ids = { postgres: postgresNow(), litellm: (await docker.getContainer(names().litellm).inspect()).Id };
    checkout.writeConfig(stackConfig(PINNED, [], { database: { image: nextPostgres } }));
    const refused = await checkout.npm("deploy", [], {}, false);
    expect(refused.status).toBe(1);
    expect(refused.lastLine).toMatch(
      new RegExp(`^error: refused: database.image ${nextPostgres} is PostgreSQL 17, and the data of "${NAME}" was written by PostgreSQL 15, which 17 cannot open; nothing was changed\\. .*npm run backup; LITELLM_DELETE_DATA=yes npm run destroy; npm run deploy; npm run restore -- `),
    );
    expect({ postgres: postgresNow(), litellm: (await docker.getContainer(names().litellm).inspect()).Id }).toEqual(ids);
    expect((await chat(baseUrl(), key, { model: "mock", messages: [{ role: "user", content: "still here" }] })).status).toBe(200);
  });

  test("those commands move it to 17: the old key answers with its spend and budget, usage shows the same rows, the master key is the one from before", async () => {
    const settledFacts = await settled();
    const masterKey = (await checkout.npm("keys", ["master-key"], {}, false)).stdout.trim();
    const usageBefore = (await checkout.npm("usage", ["--json"], {}, false)).stdout;
    const spendBefore = (await new LiteLLMAdmin(baseUrl(), masterKey).keyInfo(tokenHash(key)))?.spend;
    expect(spendBefore).toBeGreaterThan(0);

    const backedUp = await checkout.npm("backup", [], {}, false);
    expect(backedUp.status).toBe(0);
    const file = /^backup of stack "[^"]+": (backups\/\S+\.dump) /m.exec(backedUp.stdout)?.[1] as string;
    expectDone(await checkout.npm("destroy", [], { LITELLM_DELETE_DATA: "yes" }), new RegExp(`^stack "${NAME}" destroyed$`));
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${NAME}" deployed$`));
    expect(await keyValue()).not.toBe(key); // a new stack: new values, until the restore
    const restored = await checkout.npm("restore", [file]);
    expectDone(restored, new RegExp(`^stack "${NAME}" deployed$`));
    expect(restored.stdout).toContain(`restored into stack "${NAME}": keys ${settledFacts.keys}, spend logs ${settledFacts.spendRows}`);

    expect(sql("show server_version_num").slice(0, 2)).toBe("17");
    expect(await keyValue()).toBe(key);
    expect((await checkout.npm("keys", ["master-key"], {}, false)).stdout.trim()).toBe(masterKey);
    expect((await checkout.npm("usage", ["--json"], {}, false)).stdout).toBe(usageBefore);
    const info = await new LiteLLMAdmin(baseUrl(), masterKey).keyInfo(tokenHash(key));
    expect(info).toMatchObject({ spend: spendBefore, max_budget: 50 });
    expect((await chat(baseUrl(), key, { model: "mock", messages: [{ role: "user", content: "on 17" }] })).status).toBe(200);
    // The next deploy has nothing to do: the restored values are the stack's own now.
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
  });

  test("restore refuses a missing, truncated or foreign file, a database in use, and a stopped Postgres: one line each, the database as it was", async () => {
    const facts = await settled();
    const good = readdirSync(join(checkout.dir, "backups", NAME)).filter((f) => f.endsWith(".dump") && !f.includes("pre-deploy")).sort().at(-1) as string;
    const goodPath = join("backups", NAME, good);
    const scratch = join(checkout.dir, "scratch");
    mkdirSync(scratch, { recursive: true });
    const bytes = readFileSync(join(checkout.dir, goodPath));
    writeFileSync(join(scratch, "truncated.dump"), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const foreign = spawnSync("docker", ["exec", names().postgres, "sh", "-c",
      'createdb -U litellm shop && psql -q -U litellm -d shop -c "create table orders (id int); insert into orders values (1)" && pg_dump -U litellm -d shop -Fc && dropdb -U litellm shop'], { maxBuffer: 1 << 26 });
    expect(foreign.status).toBe(0);
    writeFileSync(join(scratch, "foreign.dump"), foreign.stdout);

    const refusals: [string[], RegExp][] = [
      [["scratch/missing.dump"], /^error: backup file \S+scratch\/missing\.dump does not exist: give the path `npm run backup` printed/],
      [["scratch/truncated.dump", "--replace"], /^error: (pg_restore failed \(.*\): the database is unchanged \(one transaction\)|\S+ is not a backup pg_restore can read)/],
      [["scratch/foreign.dump", "--replace"], /^error: \S+foreign\.dump: it holds no LiteLLM_VerificationToken table: it is not a backup of a LiteLLM database; nothing was changed$/],
      [[goodPath], new RegExp(`^error: stack "${NAME}"'s database is not empty \\(${facts.spendRows} spend rows, 0 keys its state does not hold\\): restoring would replace them\\. .*--replace; nothing was changed$`)],
    ];
    for (const [args, line] of refusals) {
      const result = await checkout.npm("restore", args, {}, false);
      expect(result.status).toBe(1);
      expect(result.lastLine).toMatch(line);
    }
    expect(spawnSync("docker", ["stop", names().postgres]).status).toBe(0);
    try {
      const result = await checkout.npm("restore", [goodPath, "--replace"], {}, false);
      expect(result.status).toBe(1);
      expect(result.lastLine).toMatch(/has no running Postgres container: deploy it \(npm run deploy\), or start it, then run this again$/);
    } finally {
      spawnSync("docker", ["start", names().postgres]);
    }
    await waitFor("Postgres back", 60_000, async () => (spawnSync("docker", ["exec", names().postgres, "pg_isready", "-h", "127.0.0.1"]).status === 0 ? true : undefined));
    expect(databaseFacts()).toEqual(facts);
    expect((await chat(baseUrl(), key, { model: "mock", messages: [{ role: "user", content: "unchanged" }] })).status).toBe(200);
  });

  test(`the backup the release change took restores into a stack on the previous release (${PREVIOUS_VERSION})`, async () => {
    expectDone(await checkout.npm("destroy", [], { LITELLM_DELETE_DATA: "yes" }), new RegExp(`^stack "${NAME}" destroyed$`));
    checkout.writeConfig(stackConfig(PREVIOUS));
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${NAME}" deployed$`));
    const restored = await checkout.npm("restore", [preUpgrade.file]);
    expectDone(restored, new RegExp(`^stack "${NAME}" deployed$`));
    expect(restored.stdout).toContain(`restored into stack "${NAME}": keys ${preUpgrade.keys}, spend logs ${preUpgrade.spendRows}`);
    expect(await keyValue()).toBe(key);
    expect((await chat(baseUrl(), key, { model: "mock", messages: [{ role: "user", content: "back on the previous release" }] })).status).toBe(200);
  });

  test("npm run destroy (LITELLM_DELETE_DATA=yes) removes the stack and its database", async () => {
    const config = loadStackConfig(checkout.configFile, loadPresets(), {});
    expectDone(await checkout.npm("destroy", [], { LITELLM_DELETE_DATA: "yes" }), new RegExp(`^stack "${config.name}" destroyed$`));
    const volumes = spawnSync("docker", ["volume", "ls", "-q", "--filter", `label=${LABEL_PREFIX}.stack=${NAME}`], { encoding: "utf8" }).stdout.trim();
    expect(volumes).toBe("");
  });
});
