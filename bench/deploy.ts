/**
 * npm run bench -- deploy: the real `npm run deploy` (real Terraform and providers, a mirror where
 * the registry cannot be reached) against starting the same container by hand, interleaved
 * (baseline, candidate, baseline, ...) so that background load shifts both. A no-database stack with
 * the mock model, in a checkout of its own. Rows: from nothing to serving, a deploy with nothing to
 * change, a catalog change, destroy, the price of the plan's refresh; then where each command's time
 * goes: its steps (LITELLM_STACK_PHASES=1) and, inside the apply, each resource (Terraform's own count).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { liteLLMSpec } from "../src/specs/service-specs";
import { Checkout, realPathUnavailableReason } from "../test/e2e/harness/checkout";
import { freePort, testSecrets } from "../test/e2e/harness/deployment";
import { buildLocalImages, tagAsPinned } from "../test/e2e/harness/images";
import { loadStackConfig } from "../src/catalog/load-config";
import { loadPresets } from "../src/catalog/presets";
import { PINNED_LITELLM_IMAGE as LITELLM_IMAGE } from "../src/catalog/pinned-images";
import { docker } from "./docker-cli";
import { CommandSamples, stepTable, resourceTable, untilServing } from "./deploy-samples";
import { median, ratio, seconds, table } from "./stats";

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

/** `terraform plan` in the stack's folder, as a deploy runs it, or without its refresh: the refresh's price. */
async function timedPlan(checkout: Checkout, stack: string, refresh: boolean): Promise<number> {
  const result = await checkout.terraform(stack, ["plan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode", ...(refresh ? [] : ["-refresh=false"])]);
  if (result.status !== 0) throw new Error(`terraform plan${refresh ? "" : " -refresh=false"} on the settled stack did not exit 0: ${result.stdout.slice(-1500)}`);
  return result.seconds * 1000;
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
  const commands = { fresh: new CommandSamples(checkout, "from nothing"), same: new CommandSamples(checkout, "nothing to change"), catalog: new CommandSamples(checkout, "a catalog change"), destroy: new CommandSamples(checkout, "destroy") };
  const hand = { up: [] as number[], down: [] as number[] };
  const plans = { refresh: [] as number[], noRefresh: [] as number[] };
  try {
    // One warm-up of each, then ABAB...
    for (let round = 0; round <= runs; round++) {
      const measured = round > 0;
      const byHandRound = await byHand(config, round);
      checkout.writeConfig(stackConfig());
      await commands.fresh.run("deploy", measured, /deployed$/);
      await untilServing(`http://127.0.0.1:${config.litellm.port}/health/liveliness`, 5_000); // it serves at exit
      await commands.same.run("deploy", measured, /nothing changed$/);
      // The settled stack's plan with and without its refresh, in alternating order.
      const pair = round % 2 === 0 ? [true, false] : [false, true];
      for (const refresh of pair) {
        const ms = await timedPlan(checkout, name, refresh);
        if (measured) (refresh ? plans.refresh : plans.noRefresh).push(ms);
      }
      // A catalog change: Terraform replaces the container (stop with its grace period, create, healthy).
      checkout.writeConfig(stackConfig([{ preset: "mock", id: `mock-${round}`, name: `Round ${round}` }]));
      await commands.catalog.run("deploy", measured, /deployed$/);
      await untilServing(`http://127.0.0.1:${config.litellm.port}/health/liveliness`, 5_000);
      await commands.destroy.run("destroy", measured, /destroyed$/);
      if (!measured) continue;
      hand.up.push(byHandRound.up);
      hand.down.push(byHandRound.down);
    }
  } finally {
    await checkout.npm("destroy", [], {}, false);
    checkout.remove();
  }
  const all = Object.values(commands);
  return [
    table(
      ["deploy, no database, mock model", "median s", "baseline", "ratio"],
      [
        ["docker network create + docker run, until /health/liveliness (baseline)", seconds(median(hand.up)), "", "1.00x"],
        ["npm run deploy from nothing, to exit (serving)", seconds(commands.fresh.median), seconds(median(hand.up)), ratio(commands.fresh.median, median(hand.up))],
        ["npm run deploy with nothing to change", seconds(commands.same.median), "(goal 3.00)", ""],
        ["npm run deploy, a catalog change (the container replaced)", seconds(commands.catalog.median), "", ""],
        ["docker rm -f + docker network rm (baseline)", seconds(median(hand.down)), "", "1.00x"],
        ["npm run destroy", seconds(commands.destroy.median), seconds(median(hand.down)), ratio(commands.destroy.median, median(hand.down))],
        ["terraform plan -refresh=false on the settled stack (baseline: no drift seen)", seconds(median(plans.noRefresh)), "", "1.00x"],
        ["terraform plan, as every deploy runs it (refresh: drift seen)", seconds(median(plans.refresh)), seconds(median(plans.noRefresh)), ratio(median(plans.refresh), median(plans.noRefresh))],
      ],
    ),
    "",
    stepTable(all),
    "",
    resourceTable(all),
  ].join("\n");
}
