/**
 * npm run bench: medians of repeated runs, each against a baseline measured in the same run.
 *   1. synth: the full stack vs a minimal one-container CDKTF app (both compiled JS), and via the CLI
 *   2. time to healthy: the stack's containers (as the e2e suite creates them) vs plain `docker run`
 *   3. proxy under load: the stack's LiteLLM vs the same image with a stock config (same model)
 *   4. the unit test suite's wall time
 *   5. the swarm profile (bench/swarm.ts): replicas' throughput, a catalog change under load
 *   6. deploy (bench/deploy.ts): the real `npm run deploy` / `destroy` vs `docker run` / `docker rm`, with each step's time;
 *      on a swarm manager, the swarm profile's too, with the rolling update's total (bench/swarm-deploy.ts; `swarm-deploy` alone)
 *   7. database (bench/database.ts): LiteLLM with its database, first start and restart, vs `docker run`; its memory
 *   8. routing: a group of two deployments vs one, through one proxy; failover (bench/failover.ts):
 *      client requests lost while one of two deployments fails, per router setting
 * It prints; it never passes or fails on a time. Traffic goes to 127.0.0.1 only; everything it
 * creates carries the e2e suite's label and is removed at the end.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertEngineAnswers, docker, execIn, removeLabelled, SUITE_LABEL, uploadFiles } from "../test/e2e/harness/engine";
import { Deployment, freePort, loadE2EConfig } from "../test/e2e/harness/deployment";
import { buildLocalImages, type LocalImages } from "../test/e2e/harness/images";
import { waitFor } from "../test/e2e/harness/wait";
import type { StackConfig } from "../src/catalog/validate";
import { load, type LoadResult } from "./load";
import { benchDatabase } from "./database";
import { benchDeploy } from "./deploy";
import { benchFailover } from "./failover";
import { benchSwarmDeploy } from "./swarm-deploy";
import { benchSwarm } from "./swarm";
import { swarmManagerNow } from "../test/e2e/harness/swarm";
import { median, ratio, repeat, seconds, table } from "./stats";

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const LEVELS = [1, 8, 32];
const REQUESTS_PER_RUN = Number(process.env.BENCH_REQUESTS ?? 200);
const root = join(__dirname, "..");


function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
  return performance.now() - start;
}

async function benchSynth(): Promise<string> {
  const outdir = () => join(mkdtempSync(join(tmpdir(), "bench-synth-")), "out");
  const minimal = await repeat(RUNS, () => timed("node", ["dist/bench/minimal-app.js"], { CDKTF_OUTDIR: outdir() }));
  const full = await repeat(RUNS, () => timed("node", ["dist/main.js"], { CDKTF_OUTDIR: outdir() }));
  const cli = await repeat(RUNS, () =>
    timed("npx", ["--no-install", "cdktf", "synth", "--output", outdir()], { CHECKPOINT_DISABLE: "1" }),
  );
  const base = median(minimal);
  return table(
    ["synth", "median s", "vs minimal"],
    [
      ["minimal app, node (baseline)", seconds(base), "1.00x"],
      ["full stack, node dist/main.js", seconds(median(full)), ratio(median(full), base)],
      ["full stack, npx cdktf synth", seconds(median(cli)), ratio(median(cli), base)],
    ],
  );
}

/** The stack's two containers from nothing to healthy, exactly as the e2e suite creates them. */
async function stackToHealthy(images: LocalImages): Promise<{ total: number; postgres: number; litellm: number }> {
  const name = `bench-${Date.now().toString(36)}`;
  const port = await freePort();
  const deployment = new Deployment(
    loadE2EConfig({ name, port, databaseEnabled: true }),
    loadE2EConfig({ name, port, databaseEnabled: false }),
    images,
  );
  const start = performance.now();
  await deployment.createNetworkAndVolume();
  await deployment.startPostgres();
  const postgresReady = performance.now();
  await deployment.startLiteLLM();
  const end = performance.now();
  await deployment.destroy();
  return { total: end - start, postgres: postgresReady - start, litellm: end - postgresReady };
}

/** LiteLLM 1.108 refuses to start without a master key: the one thing the stock container needs. */
const STOCK_MASTER_KEY = "sk-bench-stock-0123456789abcdef";
const STOCK_CONFIG = "model_list:\n  - model_name: mock\n    litellm_params:\n      model: openai/mock\n      mock_response: Hello from the LiteLLM mock model.\n";

async function plainLiteLLM(images: LocalImages, port: number, name: string) {
  const container = await docker.createContainer({
    name,
    Image: images.litellm,
    Cmd: ["--config", "/app/config.yaml", "--port", "4000"],
    Env: [`LITELLM_MASTER_KEY=${STOCK_MASTER_KEY}`],
    Labels: { [SUITE_LABEL]: "true" },
    ExposedPorts: { "4000/tcp": {} },
    HostConfig: { PortBindings: { "4000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
  });
  await uploadFiles(container, [{ path: "/app/config.yaml", content: STOCK_CONFIG }]);
  await container.start();
  await waitFor("plain LiteLLM to answer", 120_000, async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health/liveliness`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return response?.ok ? true : undefined;
  }, 100);
  return container;
}

/** The same two images by plain `docker run`, with only what they need to start; readiness polled every 100 ms. */
async function plainToHealthy(images: LocalImages): Promise<{ total: number; postgres: number; litellm: number }> {
  const id = Date.now().toString(36);
  const start = performance.now();
  const postgres = await docker.createContainer({
    name: `bench-plain-pg-${id}`,
    Image: images.postgres,
    Env: ["POSTGRES_PASSWORD=bench"],
    Labels: { [SUITE_LABEL]: "true" },
  });
  await postgres.start();
  await waitFor("plain Postgres to accept connections", 120_000, async () =>
    (await execIn(postgres.id, ["pg_isready", "-h", "127.0.0.1", "-q"])).exitCode === 0 ? true : undefined, 100);
  const postgresReady = performance.now();
  const litellm = await plainLiteLLM(images, await freePort(), `bench-plain-litellm-${id}`);
  const end = performance.now();
  await Promise.all([postgres.remove({ force: true, v: true }), litellm.remove({ force: true })]);
  return { total: end - start, postgres: postgresReady - start, litellm: end - postgresReady };
}

async function benchHealthy(images: LocalImages): Promise<string> {
  const collect = async (fn: () => Promise<{ total: number; postgres: number; litellm: number }>) => {
    const runs: { total: number; postgres: number; litellm: number }[] = [];
    await repeat(RUNS, async () => {
      const run = await fn();
      runs.push(run);
      return run.total;
    });
    const last = runs.slice(-RUNS);
    return { total: median(last.map((r) => r.total)), postgres: median(last.map((r) => r.postgres)), litellm: median(last.map((r) => r.litellm)) };
  };
  const plain = await collect(() => plainToHealthy(images));
  const stack = await collect(() => stackToHealthy(images));
  return table(
    ["time to healthy", "total s", "postgres s", "litellm s", "vs plain"],
    [
      ["plain docker run (baseline)", seconds(plain.total), seconds(plain.postgres), seconds(plain.litellm), "1.00x"],
      ["the stack's containers", seconds(stack.total), seconds(stack.postgres), seconds(stack.litellm), ratio(stack.total, plain.total)],
    ],
  );
}

/** Resident memory of a container, as `docker stats` counts it; NaN where the engine reports none. */
async function memoryMiB(name: string): Promise<number> {
  try {
    const stats = (await docker.getContainer(name).stats({ stream: false })) as unknown as {
      memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number; total_inactive_file?: number } };
    };
    const memory = stats.memory_stats;
    if (!memory?.usage) return Number.NaN;
    const cache = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? memory.stats?.cache ?? 0;
    return (memory.usage - cache) / 1024 / 1024;
  } catch {
    return Number.NaN;
  }
}

interface LoadTarget {
  readonly label: string;
  readonly container: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The model id asked for. @default "mock" */
  readonly model?: string;
}

/**
 * The proxy exactly as the default stack.config.yaml configures it, but without the database (it
 * cannot run here, see README), optionally adjusted for a variant.
 */
async function stackProxy(
  images: LocalImages,
  label: string,
  adjust?: (raw: Record<string, any>) => Record<string, any>,
  /** A change validation would refuse (only for a comparison, never deployed). */
  adjustConfig?: (config: StackConfig) => StackConfig,
): Promise<LoadTarget> {
  const port = await freePort();
  const config = loadE2EConfig({
    file: join(root, "stack.config.yaml"),
    name: `bench-${Math.random().toString(36).slice(2, 8)}`,
    port,
    databaseEnabled: false,
    adjust,
  });
  const proxyConfig = adjustConfig ? adjustConfig(config) : config;
  const deployment = new Deployment(proxyConfig, proxyConfig, images);
  await deployment.startProxy();
  return {
    label,
    container: deployment.names.litellm,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    headers: { authorization: `Bearer ${deployment.secrets.masterKey}` },
  };
}

const withLiteLLM = (litellm: Record<string, unknown>) => (raw: Record<string, any>) => ({ ...raw, litellm: { ...raw.litellm, ...litellm } });

async function measure(targets: readonly LoadTarget[], concurrency: number, peak: number[]): Promise<LoadResult[][]> {
  const body = (t: LoadTarget) => ({ model: t.model ?? "mock", messages: [{ role: "user", content: "hi" }] });
  const results: LoadResult[][] = targets.map(() => []);
  // Warm-up, then alternate the targets so drift on the machine hits all alike.
  for (const t of targets) await load(t.url, t.headers, body(t), concurrency, 50, 10);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, t] of targets.entries()) {
      const sampler = setInterval(() => void memoryMiB(t.container).then((m) => (peak[i] = Math.max(peak[i], m || 0))), 250);
      results[i].push(await load(t.url, t.headers, body(t), concurrency, REQUESTS_PER_RUN, 20));
      clearInterval(sampler);
    }
  }
  return results;
}

function loadRows(targets: readonly LoadTarget[], results: LoadResult[][], concurrency: number): string[][] {
  const baseRps = median(results[0].map((r) => r.rps));
  return targets.map((t, i) => {
    const rps = median(results[i].map((r) => r.rps));
    return [
      `c=${concurrency} ${t.label}`,
      rps.toFixed(1),
      median(results[i].map((r) => r.p50Ms)).toFixed(1),
      median(results[i].map((r) => r.p99Ms)).toFixed(1),
      String(results[i].reduce((sum, r) => sum + r.errors, 0)),
      ratio(rps, baseRps),
    ];
  });
}

async function benchLoad(images: LocalImages): Promise<string> {
  const stockPort = await freePort();
  const stockName = `bench-stock-${Date.now().toString(36)}`;
  await plainLiteLLM(images, stockPort, stockName);
  const stock: LoadTarget = {
    label: "stock config (baseline)",
    container: stockName,
    url: `http://127.0.0.1:${stockPort}/v1/chat/completions`,
    headers: { authorization: `Bearer ${STOCK_MASTER_KEY}` },
  };
  const stack = await stackProxy(images, "the stack's defaults");
  const header = ["proxy under load (mock model)", "req/s", "p50 ms", "p99 ms", "errors", "req/s vs stock"];
  const main = [stock, stack];
  const idle = await Promise.all(main.map((t) => memoryMiB(t.container)));
  const peak = main.map(() => 0);
  const rows: string[][] = [];
  for (const concurrency of LEVELS) rows.push(...loadRows(main, await measure(main, concurrency, peak), concurrency));
  const memory = main.map((t, i) => `${t.label}: ${idle[i].toFixed(0)} MiB idle, ${peak[i].toFixed(0)} MiB peak under load`);

  // The defaults, against what they could have been (at 8 clients).
  const variants = [
    stock,
    stack,
    await stackProxy(images, "defaults but logLevel INFO", withLiteLLM({ logLevel: "INFO" })),
    await stackProxy(images, "defaults but 2 workers (with Redis)", withLiteLLM({ workers: 2 })),
    // The cost of Redis at the same process count: the unsafe setup, measured, never deployed.
    await stackProxy(images, "2 workers without Redis (unsafe)", withLiteLLM({ workers: 2 }), (c) => ({ ...c, redis: { ...c.redis, enabled: false } })),
    // Catalog pricing is a per-model choice: measure it on the mock model.
    await stackProxy(images, "defaults but mock priced by the catalog", (raw) => ({
      ...raw,
      models: raw.models.map((m: Record<string, unknown>) => (m.preset === "mock" ? { ...m, pricing: "catalog" } : m)),
    })),
  ];
  const variantPeak = variants.map(() => 0);
  const variantRows = loadRows(variants, await measure(variants, 8, variantPeak), 8);
  const variantMemory = variants.slice(2).map((t, i) => `${t.label}: ${variantPeak[i + 2].toFixed(0)} MiB peak under load`);
  return [table(header, rows), memory.join("\n"), table(["defaults vs alternatives", ...header.slice(1)], variantRows), variantMemory.join("\n")].join("\n\n");
}

/**
 * The router's cost per request, through one proxy: the mock as one deployment (the baseline),
 * as a group of two identical deployments, and as one deployment with a fixed model_info.id
 * (what every deployment of a group carries).
 */
async function benchRouting(images: LocalImages): Promise<string> {
  const mockAnswer = "Hello from the LiteLLM mock model.";
  const proxy = await stackProxy(
    images,
    "",
    (raw) => ({
      ...raw,
      models: [
        ...raw.models,
        { preset: "mock", id: "mock-group", deployments: [{ model: "openai/mock", mockResponse: mockAnswer }, { model: "openai/mock", mockResponse: mockAnswer }] },
        { preset: "mock", id: "mock-fixed-id" },
      ],
    }),
    // A fixed id on a single deployment: not something the catalog writes, measured only.
    (c) => ({ ...c, models: c.models.map((m) => (m.id === "mock-fixed-id" ? { ...m, deployments: [{ ...m.deployments[0], id: "mock-fixed-id.1" }] } : m)) }),
  );
  const targets: LoadTarget[] = [
    { ...proxy, label: "one deployment (baseline)", model: "mock" },
    { ...proxy, label: "a group of two deployments", model: "mock-group" },
    { ...proxy, label: "one deployment, fixed model_info.id", model: "mock-fixed-id" },
  ];
  const header = ["routing, same proxy (mock model)", "req/s", "p50 ms", "p99 ms", "errors", "req/s vs one deployment"];
  return table(header, loadRows(targets, await measure(targets, 8, targets.map(() => 0)), 8));
}

async function benchTests(): Promise<string> {
  const typecheck = await repeat(RUNS, () => timed("npx", ["--no-install", "tsc", "--noEmit", "-p", "."]));
  const whole = await repeat(RUNS, () => timed("npm", ["test", "--silent"]));
  return table(
    ["npm test", "median s", "vs type-check alone"],
    [
      ["tsc --noEmit (baseline)", seconds(median(typecheck)), "1.00x"],
      ["npm test (type-check + jest)", seconds(median(whole)), ratio(median(whole), median(typecheck))],
    ],
  );
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const wanted = (section: string) => only.length === 0 || only.includes(section);
  console.log(`npm run bench: ${RUNS} runs after one warm-up, medians; ${LEVELS.join("/")} concurrent clients x ${REQUESTS_PER_RUN} requests\n`);
  if (wanted("synth")) console.log(`${await benchSynth()}\n`);
  if (wanted("healthy") || wanted("load") || wanted("routing") || wanted("failover") || wanted("swarm")) {
    assertEngineAnswers();
    const images = buildLocalImages();
    await removeLabelled(SUITE_LABEL);
    try {
      if (wanted("healthy")) console.log(`${await benchHealthy(images)}\n`);
      if (wanted("load")) console.log(`${await benchLoad(images)}\n`);
      if (wanted("routing")) console.log(`${await benchRouting(images)}\n`);
      if (wanted("failover")) console.log(`${await benchFailover(images)}\n`);
      if (wanted("swarm")) {
        if (swarmManagerNow()) console.log(`${await benchSwarm(images, RUNS)}\n`);
        else console.log("swarm: skipped, this engine is not a swarm manager (`docker swarm init --advertise-addr 127.0.0.1` first)\n");
      }
    } finally {
      await removeLabelled(SUITE_LABEL);
    }
  }
  if (wanted("deploy")) console.log(`${await benchDeploy(RUNS)}\n`);
  if (wanted("deploy") || wanted("swarm-deploy")) console.log(`${await benchSwarmDeploy(Math.max(3, Number(process.env.BENCH_SWARM_DEPLOY_RUNS ?? 3)))}\n`);
  if (wanted("database")) console.log(`${await benchDatabase(Math.max(3, Number(process.env.BENCH_DATABASE_RUNS ?? 3)))}\n`);
  if (wanted("tests")) console.log(`${await benchTests()}\n`);
}

let finished = false;
// A promise that never settles would let node exit quietly with code 0: say so and fail instead.
process.on("exit", () => {
  if (!finished && process.exitCode === undefined) {
    console.error("bench: ended before finishing (a pending operation never settled)");
    process.exitCode = 1;
  }
});
main().then(
  () => (finished = true),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);

