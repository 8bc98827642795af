/**
 * The stack against real software: Docker Engine, LiteLLM (from PyPI, the pinned version),
 * Postgres (Debian's) and the OpenClaw CLI. Containers come from the stack's own ContainerSpecs.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadStackConfig } from "../../src/catalog/load-config";
import { LITELLM_CONFIG_PATH } from "../../src/specs/service-specs";
import { renderLiteLLMConfig } from "../../src/generate/litellm-config";
import { renderOpenClawSnippet } from "../../src/generate/openclaw-snippet";
import { DATABASE_URL_ENV } from "../../src/catalog/env-names";
import { reconcileKeys } from "../../src/proxy-admin/key-reconciler";
import { LiteLLMAdmin } from "../../src/proxy-admin/litellm-admin";
import { buildUsageReport } from "../../src/proxy-admin/usage-report";
import { Deployment, E2E_CONFIG_FILE, freePort, loadE2EConfig } from "./harness/deployment";
import { assertEngineAnswers, docker, execIn, logsOf, objectsLabelled, removeLabelled, RUN_FILTER, suiteLabels, uploadFiles } from "./harness/engine";
import { browserUnavailableReason, renderedDom, screenshot } from "./harness/browser";
import { buildLocalImages, type LocalImages } from "./harness/images";
import { ensureOpenClaw, freshStateDir, openclaw } from "./harness/openclaw";
import { chat, getJson, streamedText } from "./harness/proxy-client";
import { seconds, waitFor } from "./harness/wait";

assertEngineAnswers();
const images: LocalImages = buildLocalImages();

/**
 * LiteLLM's spend database goes through Prisma, whose engines a pip install downloads at first use
 * from Prisma's own servers, which this machine cannot reach. Decided once, at load time.
 */
function spendDatabaseUnavailableReason(): string | undefined {
  const probe = spawnSync(
    "docker",
    ["run", "--rm", "--entrypoint", "sh", images.litellm, "-c", "python3 -c 'from prisma import Prisma'"],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (probe.status === 0) return undefined;
  return (
    "LiteLLM needs Prisma for its database, and Prisma's engines are downloaded at first use from " +
    "binaries.prisma.sh by `prisma generate` (not reachable here; no PyPI or npm package ships them). The proxy runs without " +
    "the database (database.enabled: false) and the Postgres container is proven on its own."
  );
}
const spendDatabaseSkipReason = spendDatabaseUnavailableReason();

/** Files the run leaves for people to look at (the dashboard screenshot). */
const ARTIFACTS = join(__dirname, "artifacts");

const MOCK_TEXT = "Hello from the LiteLLM mock model.";
const BACKUP_TEXT = "Answer from the backup model.";
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

let deployment: Deployment;
/** One model id served by two deployments: OpenClaw asks for it like any other. */
const PAIR_TEXTS = ["Answer from deployment one.", "Answer from deployment two."];
const withPair = (raw: Record<string, any>) => ({
  ...raw,
  models: [
    ...raw.models,
    { preset: "mock", id: "mock-pair", name: "Mock served by two deployments", deployments: PAIR_TEXTS.map((text, i) => ({ model: `openai/mock-${i + 1}`, mockResponse: text })) },
  ],
});

beforeAll(async () => {
  // Sweep what a crashed earlier run may have left.
  await removeLabelled(RUN_FILTER);
  const port = await freePort();
  const name = `e2e-${runId}`;
  deployment = new Deployment(
    loadE2EConfig({ name, port, databaseEnabled: true, adjust: withPair }),
    loadE2EConfig({ name, port, databaseEnabled: !spendDatabaseSkipReason, adjust: withPair }),
    images,
  );
  console.log(`e2e stack ${name}: proxy on ${deployment.baseUrl}, images ${images.postgres} ${images.litellm}`);
});

afterAll(async () => {
  // Pass or fail, leave nothing behind.
  await removeLabelled(RUN_FILTER);
});

describe("deploy", () => {
  test("both containers become healthy within their wait timeouts", async () => {
    const start = Date.now();
    await deployment.createNetworkAndVolume();
    await deployment.startPostgres();
    await deployment.startLiteLLM();
    console.log(
      `healthy: postgres after ${deployment.timings.postgres}, litellm ${deployment.timings.litellm} later; total ${seconds(start)}`,
    );
    for (const spec of [deployment.postgresSpec(), deployment.liteLLMSpec()]) {
      const state = await docker.getContainer(spec.name).inspect();
      expect(state.State.Health?.Status).toBe("healthy");
      expect(state.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    }
  });

  test("/health/liveliness answers and /health/readiness reports the database state", async () => {
    const live = await fetch(`${deployment.baseUrl}/health/liveliness`);
    expect(live.status).toBe(200);
    const ready = await getJson(`${deployment.baseUrl}/health/readiness`);
    expect(ready.status).toBe(200);
    expect(ready.body.db).toBe(spendDatabaseSkipReason ? "Not connected" : "connected");
  });

  test("the proxy is published on 127.0.0.1 only", async () => {
    const state = await docker.getContainer(deployment.names.litellm).inspect();
    expect(state.HostConfig.PortBindings?.["4000/tcp"]).toEqual([
      { HostIp: "127.0.0.1", HostPort: String(deployment.proxyConfig.litellm.port) },
    ]);
    const postgres = await docker.getContainer(deployment.names.postgres).inspect();
    expect(Object.keys(postgres.HostConfig.PortBindings ?? {})).toEqual([]);
  });
});

describe("requests through the proxy", () => {
  const ask = (key: string | undefined, extra: Record<string, unknown> = {}) =>
    chat(deployment.baseUrl, key, { model: "mock", messages: [{ role: "user", content: "hi" }], ...extra });

  test("with the master key, the mock model answers", async () => {
    const result = await ask(deployment.secrets.masterKey);
    expect(result.status).toBe(200);
    expect(result.body.choices[0].message.content).toBe(MOCK_TEXT);
  });

  test("with the master key, the mock model streams its answer", async () => {
    const result = await ask(deployment.secrets.masterKey, { stream: true });
    expect(result.status).toBe(200);
    expect(streamedText(result.body)).toEqual({ text: MOCK_TEXT, done: true });
  });

  test("no key gets 401; a wrong key is refused", async () => {
    const noKey = await ask(undefined);
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.type).toBe("auth_error");
    const wrongKey = await ask("sk-wrong-key");
    if (spendDatabaseSkipReason) {
      // Without a database LiteLLM cannot look the key up as a virtual key: it refuses with 400.
      expect({ status: wrongKey.status, type: wrongKey.body.error.type }).toEqual({ status: 400, type: "no_db_connection" });
    } else {
      expect(wrongKey.status).toBe(401);
    }
  });

  test("a provider that is down falls back to the catalog's fallback", async () => {
    const result = await ask(deployment.secrets.masterKey, { model: "provider-down" });
    expect(result.status).toBe(200);
    expect(result.body.choices[0].message.content).toBe(BACKUP_TEXT);
    expect(result.headers.get("x-litellm-attempted-fallbacks")).toBe("1");
  });

  test("without the fallback, the same request fails", async () => {
    const result = await ask(deployment.secrets.masterKey, { model: "provider-down", disable_fallbacks: true });
    expect(result.status).toBeGreaterThanOrEqual(500);
  });
});

describe("LiteLLM accepts the generated configuration", () => {
  test("the repository's default stack.config.yaml passes litellm --validate_config", async () => {
    const defaultConfig = loadStackConfig(join(__dirname, "..", "..", "stack.config.yaml"));
    const container = await docker.createContainer({
      Image: images.litellm,
      Cmd: ["--validate_config", "--config", LITELLM_CONFIG_PATH],
      Labels: suiteLabels(),
    });
    await uploadFiles(container, [{ path: LITELLM_CONFIG_PATH, content: renderLiteLLMConfig(defaultConfig) }]);
    await container.start();
    const result = await container.wait();
    const output = await logsOf(container.id);
    await container.remove();
    expect({ exit: result.StatusCode, output }).toEqual({ exit: 0, output: expect.any(String) });
  });
});

describe("LiteLLM's dashboard, in a real browser", () => {
  const reason = browserUnavailableReason();
  if (reason) process.stderr.write(`SKIPPED (dashboard in a browser): ${reason}\n`);
  const browserTest = reason ? test.skip : test;
  const loginUrl = () => `${deployment.baseUrl}/ui/login/`;

  browserTest("the login page renders from the stack's container (screenshot saved) and asks for a username and password", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, "dashboard-login.png");
    rmSync(shot, { force: true });
    screenshot(loginUrl(), shot);
    expect(statSync(shot).size).toBeGreaterThan(5_000);
    process.stdout.write(`dashboard screenshot: ${shot}\n`);
    const dom = renderedDom(loginUrl());
    const text = dom.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/g, " ").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toContain("Access your LiteLLM Admin UI.");
    expect(text).toMatch(/\bLogin\b/);
    expect(dom).toMatch(/<input[^>]+placeholder="Enter your username"/);
    expect(dom).toMatch(/<input[^>]+type="password"[^>]*placeholder="Enter your password"|<input[^>]+placeholder="Enter your password"[^>]*type="password"/);
  });

  test("the stack's login (admin with the master key, no LITELLM_UI_PASSWORD set) is the one LiteLLM checks", async () => {
    const login = (username: string, password: string) =>
      fetch(`${deployment.baseUrl}/v2/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password }) });
    expect((await login("admin", "sk-not-the-password-000000")).status).toBe(401);
    const right = await login("admin", deployment.secrets.masterKey);
    // With the database a session starts (200); without it (here) LiteLLM says so after accepting the credentials.
    expect(right.status).not.toBe(401);
    if (spendDatabaseSkipReason) expect(((await right.json()) as { error: { message: string } }).error.message).toBe("Authentication Error, Not connected to DB!");
  });
});

describe("OpenClaw, the real CLI", () => {
  let stateDir: string;
  let snippetFile: string;
  const env = () => ({ LITELLM_API_KEY: deployment.secrets.masterKey });

  beforeAll(() => {
    ensureOpenClaw();
    stateDir = freshStateDir();
    snippetFile = join(stateDir, "litellm.json5");
    writeFileSync(snippetFile, renderOpenClawSnippet(deployment.proxyConfig));
  });

  test("config patch --dry-run accepts the generated snippet", () => {
    const run = openclaw(["config", "patch", "--file", snippetFile, "--dry-run"], stateDir, env());
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  });

  test("config patch --dry-run refuses the snippet when LITELLM_API_KEY is unset", () => {
    const run = openclaw(["config", "patch", "--file", snippetFile, "--dry-run"], stateDir, {});
    expect(run.status).toBe(1);
  });

  test("after the patch, config validate passes", () => {
    const patch = openclaw(["config", "patch", "--file", snippetFile], stateDir, env());
    expect(patch.status).toBe(0);
    const validate = openclaw(["config", "validate", "--json"], stateDir, env());
    expect({ status: validate.status, out: validate.stdout }).toEqual({ status: 0, out: expect.any(String) });
  });

  test("infer model run through the proxy returns the mock text", () => {
    const run = openclaw(
      ["infer", "model", "run", "--local", "--model", "litellm/mock", "--prompt", "Say hello", "--json"],
      stateDir,
      env(),
    );
    if (run.status !== 0) throw new Error(`openclaw exited ${run.status}\n${run.stdout}\n${run.stderr}`);
    const result = JSON.parse(run.stdout);
    expect(result.ok).toBe(true);
    expect(result.outputs[0].text).toBe(MOCK_TEXT);
  });

  test("a model served by two deployments answers OpenClaw under its one id, from both deployments", () => {
    const texts = new Set<string>();
    // Until both deployments have answered, at most 12 turns (one answering all 12: 1 in 2048).
    for (let i = 0; i < 12 && texts.size < 2; i++) {
      const run = openclaw(["infer", "model", "run", "--local", "--model", "litellm/mock-pair", "--prompt", "Say hello", "--json"], stateDir, env());
      if (run.status !== 0) throw new Error(`openclaw exited ${run.status}\n${run.stdout}\n${run.stderr}`);
      const result = JSON.parse(run.stdout);
      expect(result.ok).toBe(true);
      texts.add(result.outputs[0].text);
    }
    expect([...texts].sort()).toEqual(PAIR_TEXTS);
  });
});

describe("spend database", () => {
  const spendTest = spendDatabaseSkipReason ? test.skip : test;
  if (spendDatabaseSkipReason) process.stderr.write(`SKIPPED (spend records through Postgres): ${spendDatabaseSkipReason}\n`);

  spendTest("a request through the proxy shows up in LiteLLM's spend records", async () => {
    const sent = await chat(deployment.baseUrl, deployment.secrets.masterKey, { model: "mock", messages: [{ role: "user", content: "spend" }] });
    expect(sent.status).toBe(200);
    const logs = await waitFor("the request in /spend/logs", 30_000, async () => {
      const response = await fetch(`${deployment.baseUrl}/spend/logs`, {
        headers: { authorization: `Bearer ${deployment.secrets.masterKey}` },
      });
      const body = (await response.json()) as unknown[];
      return body.length > 0 ? body : undefined;
    });
    expect(logs.length).toBeGreaterThan(0);
  });

  test("the LiteLLM container reaches Postgres by its alias with the stack's DATABASE_URL", async () => {
    // The database URL exactly as the stack gives it to LiteLLM (with the DB enabled).
    const withDb = deployment.liteLLMSpec(deployment.stack);
    const url = withDb.env[DATABASE_URL_ENV];
    expect(url).toMatch(/@postgres:5432\//);
    const container = await docker.createContainer({
      Image: images.litellm,
      Entrypoint: ["python3", "-c"],
      Cmd: [
        "import os, psycopg; c = psycopg.connect(os.environ['DATABASE_URL']); " +
          "print(c.execute('select current_user::text, current_database()::text').fetchone())",
      ],
      Env: [`${DATABASE_URL_ENV}=${url}`],
      Labels: suiteLabels(),
      HostConfig: { NetworkMode: deployment.names.network },
    });
    await container.start();
    const result = await container.wait();
    const output = ((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer).toString("utf8");
    await container.remove();
    expect(result.StatusCode).toBe(0);
    expect(output).toContain("('litellm', 'litellm')");
  });
});

describe("virtual keys and the usage report, against the real LiteLLM", () => {
  const keysTest = spendDatabaseSkipReason ? test.skip : test;
  if (spendDatabaseSkipReason) process.stderr.write(`SKIPPED (budgeted virtual keys): ${spendDatabaseSkipReason}\n`);
  const keyConfig = () => ({
    ...deployment.proxyConfig,
    keys: [{ alias: "openclaw", maxBudget: 0.0001, budgetDuration: "monthly", models: ["mock-priced", "mock"] }],
  });
  const keyValue = "sk-e2e-openclaw-virtual-key";
  // LiteLLM's aliases are proxy-wide, so the stack scopes its keys' aliases by its name.
  const scopedAlias = () => `${deployment.proxyConfig.name}/openclaw`;
  const admin = () => new LiteLLMAdmin(deployment.baseUrl, deployment.secrets.masterKey);

  keysTest("a declared key is created with its budget, its request shows in the report, and over budget it is refused", async () => {
    await reconcileKeys(admin(), keyConfig(), { openclaw: keyValue }, [], () => undefined);
    const first = await chat(deployment.baseUrl, keyValue, { model: "mock-priced", messages: [{ role: "user", content: "spend" }] });
    expect(first.status).toBe(200);
    const report = await waitFor("the request in the usage report", 60_000, async () => {
      const today = new Date().toISOString().slice(0, 10);
      const built = buildUsageReport(await admin().listKeys(), (await admin().spendLogs(today, today)).rows, { start: today, end: today });
      return built.rows.some((r) => r.alias === scopedAlias() && r.model === "mock-priced") ? built : undefined;
    });
    expect(report.budgets.find((b) => b.alias === scopedAlias())?.maxBudget).toBe(0.0001);
    const refused = await waitFor("the budget to be enforced", 60_000, async () => {
      const next = await chat(deployment.baseUrl, keyValue, { model: "mock-priced", messages: [{ role: "user", content: "more" }] });
      return next.status === 200 ? undefined : next;
    });
    // LiteLLM 1.108.5 answers 422 (recorded: chat-completion-over-budget-422); its spend reaches
    // the budget check after a batched write (~20 s), hence the wait above.
    expect(refused.status).toBe(422);
    expect(refused.body.error.type).toBe("budget_exceeded");
  });

  const usage = (masterKey: string, baseUrl = deployment.baseUrl) =>
    spawnSync(join(__dirname, "..", "..", "node_modules/.bin/tsx"), ["scripts/usage.ts", "--period", "7d"], {
      cwd: join(__dirname, "..", ".."),
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? "", LITELLM_STACK_CONFIG: E2E_CONFIG_FILE, LITELLM_BASE_URL: baseUrl, LITELLM_MASTER_KEY: masterKey },
    });

  describe("a proxy without a database (database.enabled: false)", () => {
    // Its own LiteLLM when the stack's has its database; the stack's own otherwise.
    let noDb: Deployment;
    beforeAll(async () => {
      if (spendDatabaseSkipReason) {
        noDb = deployment;
        return;
      }
      const config = loadE2EConfig({ name: `e2e-nodb-${runId}`, port: await freePort(), databaseEnabled: false });
      noDb = new Deployment(config, config, images);
      await noDb.startProxy();
    }, 5 * 60_000);
    afterAll(async () => {
      if (noDb && noDb !== deployment) await noDb.destroy();
    });

    test("the reconciler stops the deploy with a clear message", async () => {
      const noDbAdmin = new LiteLLMAdmin(noDb.baseUrl, noDb.secrets.masterKey);
      await expect(reconcileKeys(noDbAdmin, keyConfig(), { openclaw: keyValue }, [], () => undefined)).rejects.toThrow(
        `the proxy at ${noDb.baseUrl} has no database connected (readiness: db Not connected)`,
      );
    });

    test("the usage command says so and exits 1", () => {
      const run = usage(noDb.secrets.masterKey, noDb.baseUrl);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("has no database connected");
    });
  });

  keysTest("with a wrong master key, the usage command says so and exits 1", () => {
    const run = usage("sk-wrong");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("refused the master key");
  });

  test("the usage command fails clearly when the proxy is unreachable", () => {
    const run = usage("sk-x", "http://127.0.0.1:9");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("cannot reach http://127.0.0.1:9/health/readiness");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("data", () => {
  beforeAll(async () => {
    const created = await execIn(deployment.names.postgres, [
      "sh",
      "-c",
      `PGPASSWORD='${deployment.secrets.database?.password}' psql -h 127.0.0.1 -U litellm -d litellm -v ON_ERROR_STOP=1 -c "create table e2e_spend (id serial primary key, note text); insert into e2e_spend (note) values ('before'), ('replacements')"`,
    ]);
    if (created.exitCode !== 0) throw new Error(created.output);
  });

  const rows = async () => {
    const result = await execIn(deployment.names.postgres, [
      "sh",
      "-c",
      `PGPASSWORD='${deployment.secrets.database?.password}' psql -h 127.0.0.1 -U litellm -d litellm -At -c "select count(*) from e2e_spend"`,
    ]);
    return result.output.trim();
  };

  test("rows survive a replaced LiteLLM container (a config change)", async () => {
    const changed = loadE2EConfig({
      name: deployment.stack.name,
      port: deployment.proxyConfig.litellm.port,
      databaseEnabled: deployment.proxyConfig.database.enabled,
    });
    const changedConfig = { ...changed, router: { ...changed.router, numRetries: 1 } };
    const before = (await docker.getContainer(deployment.names.litellm).inspect()).Id;
    await deployment.replace("litellm", changedConfig);
    expect((await docker.getContainer(deployment.names.litellm).inspect()).Id).not.toBe(before);
    expect(await rows()).toBe("2");
  });

  test("rows survive a replaced Postgres container on the same volume", async () => {
    const before = (await docker.getContainer(deployment.names.postgres).inspect()).Id;
    await deployment.replace("postgres");
    expect((await docker.getContainer(deployment.names.postgres).inspect()).Id).not.toBe(before);
    expect(await rows()).toBe("2");
  });

});

describe("faults", () => {
  /** Kills the container's main process from the host, as a crash or the OOM killer would. */
  async function crash(name: string): Promise<number> {
    const state = await docker.getContainer(name).inspect();
    process.kill(state.State.Pid, "SIGKILL");
    return state.RestartCount;
  }

  async function restartedAndHealthy(name: string, restartsBefore: number, timeoutMs: number) {
    await waitFor(`${name} to restart after a kill and become healthy`, timeoutMs, async () => {
      const state = await docker.getContainer(name).inspect();
      return state.RestartCount > restartsBefore && state.State.Health?.Status === "healthy" ? true : undefined;
    });
  }

  test("a killed Postgres comes back through the restart policy", async () => {
    const start = Date.now();
    const restarts = await crash(deployment.names.postgres);
    await restartedAndHealthy(deployment.names.postgres, restarts, 90_000);
    console.log(`postgres back after ${seconds(start)}`);
  });

  test("a killed LiteLLM comes back and serves again", async () => {
    const start = Date.now();
    const restarts = await crash(deployment.names.litellm);
    await restartedAndHealthy(deployment.names.litellm, restarts, 120_000);
    const result = await chat(deployment.baseUrl, deployment.secrets.masterKey, {
      model: "mock",
      messages: [{ role: "user", content: "still there?" }],
    });
    expect(result.body.choices[0].message.content).toBe(MOCK_TEXT);
    console.log(`litellm serving again after ${seconds(start)}`);
  });
});

describe("teardown", () => {
  test("destroying the stack leaves no container, network or volume with its labels", async () => {
    expect((await objectsLabelled(deployment.labelFilter)).containers.length).toBeGreaterThan(0);
    await deployment.destroy();
    expect(await objectsLabelled(deployment.labelFilter)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
