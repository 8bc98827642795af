/**
 * npm run bench -- database: LiteLLM with its database, the real `npm run deploy` against the same
 * two containers started by hand, interleaved round by round (baseline, candidate, ...):
 *   - from nothing until LiteLLM reports `db: connected` (Postgres first start, then every migration);
 *   - a restart on the existing database (a catalog change replaces LiteLLM; by hand, `docker rm -f`
 *     and `docker run` of the same container) until `db: connected` again;
 *   - LiteLLM's memory, idle, with its database.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadStackConfig } from "../src/catalog/load-config";
import { PINNED_LITELLM_IMAGE } from "../src/catalog/pinned-images";
import { loadPresets } from "../src/catalog/presets";
import type { StackConfig } from "../src/catalog/validate";
import { liteLLMSpec, POSTGRES_ALIAS, postgresSpec, resourceNames } from "../src/specs/service-specs";
import { Checkout, realPathUnavailableReason } from "../test/e2e/harness/checkout";
import { freePort, testSecrets } from "../test/e2e/harness/deployment";
import { buildLocalImages, tagAsPinned } from "../test/e2e/harness/images";
import { waitFor } from "../test/e2e/harness/wait";
import { docker } from "./docker-cli";
import { median, ratio, seconds, table } from "./stats";

const POSTGRES_IMAGE = "postgres:16.10";


/** Polls every 100 ms until LiteLLM's readiness reports its database connected. */
function untilConnected(port: number, timeoutMs = 300_000): Promise<true> {
  return waitFor(`db: connected on ${port}`, timeoutMs, async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health/readiness`, { signal: AbortSignal.timeout(2_000) });
    return response.ok && ((await response.json()) as { db?: string }).db === "connected" ? true : undefined;
  }, 100);
}

/** LiteLLM's memory in MiB, as `docker stats` reports it. */
function memoryMiB(container: string): number {
  const [value, unit] = docker(["stats", "--no-stream", "--format", "{{.MemUsage}}", container]).split(" / ")[0].match(/^([\d.]+)(\w+)$/)!.slice(1);
  return Number(value) * ({ KiB: 1 / 1024, MiB: 1, GiB: 1024 } as Record<string, number>)[unit];
}

/** The stack's two containers by hand: the same images, environment, config file and command. */
async function byHand(config: StackConfig, round: number): Promise<{ fresh: number; restart: number; memory: number }> {
  const secrets = testSecrets();
  const postgres = postgresSpec(config, secrets);
  const litellm = liteLLMSpec(config, secrets);
  const dir = mkdtempSync(join(tmpdir(), "bench-db-byhand-"));
  writeFileSync(join(dir, "config.yaml"), litellm.uploads[0].content);
  const name = `bench-db-byhand-${round}-${Date.now().toString(36)}`;
  const port = await freePort();
  const run = () =>
    docker([
      "run", "-d", "--name", `${name}-litellm`, "--network", name, "-p", `127.0.0.1:${port}:4000`,
      "-v", `${join(dir, "config.yaml")}:${litellm.uploads[0].path}:ro`,
      ...Object.entries(litellm.env).flatMap(([key, value]) => ["-e", `${key}=${value}`]),
      PINNED_LITELLM_IMAGE, ...litellm.command,
    ]);
  const started = performance.now();
  docker(["network", "create", name]);
  docker([
    "run", "-d", "--name", `${name}-postgres`, "--network", name, "--network-alias", POSTGRES_ALIAS,
    ...Object.entries(postgres.env).flatMap(([key, value]) => ["-e", `${key}=${value}`]),
    POSTGRES_IMAGE,
  ]);
  await waitFor("Postgres by hand", 120_000, async () =>
    spawnSync("docker", ["exec", `${name}-postgres`, "pg_isready", "-h", "127.0.0.1", "-q"]).status === 0 ? true : undefined, 100);
  run();
  await untilConnected(port);
  const fresh = performance.now() - started;
  const memory = memoryMiB(`${name}-litellm`);
  const restarting = performance.now();
  docker(["rm", "-f", `${name}-litellm`]);
  run();
  await untilConnected(port);
  const restart = performance.now() - restarting;
  docker(["rm", "-f", "-v", `${name}-litellm`, `${name}-postgres`]);
  docker(["network", "rm", name]);
  return { fresh, restart, memory };
}

export async function benchDatabase(runs: number): Promise<string> {
  const unavailable = realPathUnavailableReason();
  if (unavailable) return `database: skipped, ${unavailable}`;
  const local = buildLocalImages();
  tagAsPinned(PINNED_LITELLM_IMAGE, local);
  tagAsPinned(POSTGRES_IMAGE, local);
  const checkout = new Checkout("bench-database");
  const name = `bench-db-${Date.now().toString(36)}`;
  const port = await freePort();
  const stackConfig = (extra: unknown[] = []) => ({
    name,
    litellm: { image: PINNED_LITELLM_IMAGE, port },
    database: { image: POSTGRES_IMAGE },
    models: [{ preset: "mock" }, ...extra],
    openclaw: { primary: "mock" },
  });
  checkout.writeConfig(stackConfig());
  const config = loadStackConfig(checkout.configFile, loadPresets(), {});
  const rows = { handFresh: [] as number[], handRestart: [] as number[], handMemory: [] as number[], fresh: [] as number[], restart: [] as number[], memory: [] as number[] };
  const must = (what: string, result: { status: number; lastLine: string }) => {
    if (result.status !== 0) throw new Error(`${what} failed: ${result.lastLine}`);
  };
  try {
    for (let round = 0; round <= runs; round++) {
      const hand = await byHand(config, round);
      checkout.writeConfig(stackConfig());
      const started = performance.now();
      must("npm run deploy", await checkout.npm("deploy", [], {}, false));
      await untilConnected(port);
      const fresh = performance.now() - started;
      const memory = memoryMiB(resourceNames(name).litellm);
      // A catalog change: Terraform replaces LiteLLM on the existing database.
      checkout.writeConfig(stackConfig([{ preset: "mock", id: `mock-${round}`, name: `Round ${round}` }]));
      const restarting = performance.now();
      must("npm run deploy (catalog change)", await checkout.npm("deploy", [], {}, false));
      await untilConnected(port);
      const restart = performance.now() - restarting;
      must("npm run destroy", await checkout.npm("destroy", [], {}, false));
      if (round === 0) continue; // warm-up
      rows.handFresh.push(hand.fresh);
      rows.handRestart.push(hand.restart);
      rows.handMemory.push(hand.memory);
      rows.fresh.push(fresh);
      rows.restart.push(restart);
      rows.memory.push(memory);
    }
  } finally {
    await checkout.npm("destroy", [], {}, false);
    checkout.remove();
  }
  return table(
    ["LiteLLM with its database (until db: connected)", "median s", "baseline s", "ratio"],
    [
      ["from nothing, every migration: docker run by hand (baseline)", seconds(median(rows.handFresh)), "", "1.00x"],
      ["from nothing, every migration: npm run deploy", seconds(median(rows.fresh)), seconds(median(rows.handFresh)), ratio(median(rows.fresh), median(rows.handFresh))],
      ["restart on the existing database: docker rm -f + run (baseline)", seconds(median(rows.handRestart)), "", "1.00x"],
      ["restart on the existing database: npm run deploy, a catalog change", seconds(median(rows.restart)), seconds(median(rows.handRestart)), ratio(median(rows.restart), median(rows.handRestart))],
      ["LiteLLM's memory idle, MiB: by hand / the stack's", `${median(rows.handMemory).toFixed(0)} / ${median(rows.memory).toFixed(0)}`, "", ""],
    ],
  );
}
