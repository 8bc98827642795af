/**
 * npm run bench -- deploy: the real `npm run deploy` (real Terraform and providers, a mirror where
 * the registry cannot be reached) against starting the same container by hand, interleaved
 * (baseline, candidate, baseline, ...) so that background load shifts both. A no-database stack with
 * the mock model, in a checkout of its own. Rows: from nothing to serving, a deploy with nothing to
 * change, a catalog change, destroy, and the time of each step of a deploy (LITELLM_STACK_PHASES=1).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { liteLLMSpec } from "../src/containers/service-specs";
import { Checkout, type CommandResult, realPathUnavailableReason } from "../test/e2e/harness/checkout";
import { freePort, testSecrets } from "../test/e2e/harness/deployment";
import { buildLocalImages, tagAsPinned } from "../test/e2e/harness/images";
import { loadStackConfig } from "../src/catalog/load-config";
import { loadPresets } from "../src/catalog/presets";
import { PINNED_LITELLM_IMAGE as LITELLM_IMAGE } from "../src/catalog/pinned-images";
import { docker } from "./docker-cli";
import { median, ratio, seconds, table } from "./stats";
import { waitFor } from "../test/e2e/harness/wait";




/** Polls every 100 ms until the proxy answers (the harness's waitFor keeps node alive meanwhile). */
function untilServing(url: string, timeoutMs = 120_000): Promise<true> {
  return waitFor(url, timeoutMs, async () => ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok ? true : undefined), 100);
}

/** The same image, config file, environment and command as the stack's LiteLLM, with `docker network create` + `docker run`. */
async function byHand(config: ReturnType<typeof loadStackConfig>, round: number): Promise<{ up: number; down: number }> {
  const spec = liteLLMSpec(config, testSecrets());
  const dir = mkdtempSync(join(tmpdir(), "bench-byhand-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, spec.uploads[0].content);
  const network = `bench-byhand-${round}-${Date.now().toString(36)}`;
  const port = await freePort();
  const started = performance.now();
  docker(["network", "create", network]);
  docker([
    "run", "-d", "--name", network, "--network", network, "-p", `127.0.0.1:${port}:4000`,
    "-v", `${file}:${spec.uploads[0].path}:ro`,
    ...Object.entries(spec.env).flatMap(([name, value]) => ["-e", `${name}=${value}`]),
    LITELLM_IMAGE, ...spec.command,
  ]);
  await untilServing(`http://127.0.0.1:${port}/health/liveliness`);
  const up = performance.now() - started;
  const stopping = performance.now();
  docker(["rm", "-f", network]);
  docker(["network", "rm", network]);
  return { up, down: performance.now() - stopping };
}

function phasesOf(result: CommandResult): Record<string, number> {
  const line = result.stderr.split("\n").find((l) => l.startsWith("phases "));
  return line ? JSON.parse(line.slice("phases ".length)) : {};
}

export async function benchDeploy(runs: number): Promise<string> {
  const unavailable = realPathUnavailableReason();
  if (unavailable) return `deploy: skipped, ${unavailable}`;
  tagAsPinned(LITELLM_IMAGE, buildLocalImages());
  const checkout = new Checkout("bench-deploy");
  const name = `bench-dp-${Date.now().toString(36)}`;
  const port = await freePort();
  const stackConfig = (extraModels: unknown[] = []) => ({
    name,
    litellm: { image: LITELLM_IMAGE, port },
    database: { enabled: false },
    models: [{ preset: "mock" }, ...extraModels],
    openclaw: { primary: "mock" },
  });
  checkout.writeConfig(stackConfig());
  const config = loadStackConfig(checkout.configFile, loadPresets(), {});
  const env = { LITELLM_STACK_PHASES: "1" };
  const rows = { fresh: [] as number[], same: [] as number[], catalog: [] as number[], destroy: [] as number[], hand: [] as number[], handDown: [] as number[] };
  const phases: Record<string, number[]> = {};
  const destroyPhases: Record<string, number[]> = {};
  try {
    // One warm-up of each, then ABAB...
    for (let round = 0; round <= runs; round++) {
      const hand = await byHand(config, round);
      checkout.writeConfig(stackConfig());
      const fresh = await checkout.npm("deploy", [], env, false);
      if (fresh.status !== 0) throw new Error(`npm run deploy failed: ${fresh.lastLine}\n${fresh.stderr.slice(-2000)}`);
      await untilServing(`http://127.0.0.1:${config.litellm.port}/health/liveliness`, 5_000); // it serves at exit
      const same = await checkout.npm("deploy", [], env, false);
      if (!/nothing changed/.test(same.lastLine)) throw new Error(`the second deploy changed something: ${same.lastLine}`);
      // A catalog change: Terraform replaces the container (stop with its grace period, create, healthy).
      checkout.writeConfig(stackConfig([{ preset: "mock", id: `mock-${round}`, name: `Round ${round}` }]));
      const catalog = await checkout.npm("deploy", [], env, false);
      if (catalog.status !== 0) throw new Error(`the catalog change failed: ${catalog.lastLine}`);
      await untilServing(`http://127.0.0.1:${config.litellm.port}/health/liveliness`, 5_000);
      const destroyed = await checkout.npm("destroy", [], env, false);
      if (destroyed.status !== 0) throw new Error(`npm run destroy failed: ${destroyed.lastLine}`);
      if (round === 0) continue;
      rows.hand.push(hand.up);
      rows.handDown.push(hand.down);
      rows.fresh.push(fresh.seconds * 1000);
      rows.same.push(same.seconds * 1000);
      rows.catalog.push(catalog.seconds * 1000);
      rows.destroy.push(destroyed.seconds * 1000);
      for (const [phase, ms] of Object.entries(phasesOf(fresh))) (phases[phase] ??= []).push(ms);
      for (const [phase, ms] of Object.entries(phasesOf(destroyed))) (destroyPhases[phase] ??= []).push(ms);
    }
  } finally {
    await checkout.npm("destroy", [], {}, false);
    checkout.remove();
  }
  const rest = (total: number[], parts: Record<string, number[]>) => median(total) - Object.values(parts).reduce((sum, values) => sum + median(values), 0);
  return [
    table(
      ["deploy, no database, mock model", "median s", "baseline", "ratio"],
      [
        ["docker network create + docker run, until /health/liveliness (baseline)", seconds(median(rows.hand)), "", "1.00x"],
        ["npm run deploy from nothing, to exit (serving)", seconds(median(rows.fresh)), seconds(median(rows.hand)), ratio(median(rows.fresh), median(rows.hand))],
        ["npm run deploy with nothing to change", seconds(median(rows.same)), "(goal 3.00)", ""],
        ["npm run deploy, a catalog change (the container replaced)", seconds(median(rows.catalog)), "", ""],
        ["docker rm -f + docker network rm (baseline)", seconds(median(rows.handDown)), "", "1.00x"],
        ["npm run destroy", seconds(median(rows.destroy)), seconds(median(rows.handDown)), ratio(median(rows.destroy), median(rows.handDown))],
      ],
    ),
    "",
    table(
      ["npm run deploy from nothing: phase", "median s"],
      [
        ["npm, the compile check (scripts/build-if-changed.js) and node start-up: the rest", seconds(rest(rows.fresh, phases))],
        ...Object.entries(phases).map(([phase, values]) => [phase, seconds(median(values))]),
      ],
    ),
    "",
    table(
      ["npm run destroy: phase", "median s"],
      [
        ["npm, the compile check and node start-up: the rest", seconds(rest(rows.destroy, destroyPhases))],
        ...Object.entries(destroyPhases).map(([phase, values]) => [phase, seconds(median(values))]),
      ],
    ),
  ].join("\n");
}
