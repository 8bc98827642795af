/**
 * npm run bench -- deploy, the swarm profile: the real `npm run deploy` of the default 3 replicas
 * with Redis and the load balancer, on a single-node swarm it does not create. The row the issue
 * asks for is the rolling update's total: a catalog change deployed under 8 continuous clients,
 * from the command's start to its exit, with the requests that failed meanwhile.
 */
import { PINNED_LITELLM_IMAGE } from "../src/catalog/pinned-images";
import { Checkout, realPathUnavailableReason } from "../test/e2e/harness/checkout";
import { ContinuousLoad, type LoadReport } from "../test/e2e/harness/continuous-load";
import { freePort } from "../test/e2e/harness/deployment";
import { buildLocalImages, tagAsPinned } from "../test/e2e/harness/images";
import { swarmManagerNow } from "../test/e2e/harness/swarm";
import { CommandSamples, resourceTable, stepTable, untilServing } from "./deploy-samples";
import { median, seconds, table } from "./stats";

export async function benchSwarmDeploy(runs: number): Promise<string> {
  const unavailable = realPathUnavailableReason() ?? (swarmManagerNow() ? undefined : "this engine is not a swarm manager (`docker swarm init --advertise-addr 127.0.0.1` first)");
  if (unavailable) return `deploy, swarm profile: skipped, ${unavailable}`;
  const local = buildLocalImages();
  const checkout = new Checkout("bench-swarm-deploy");
  const name = `bench-sw-${Date.now().toString(36)}`;
  const port = await freePort();
  const masterKey = `sk-bench-swarm-${Date.now().toString(36)}-0123456789abcdef`;
  const env = { LITELLM_MASTER_KEY: masterKey };
  const stackConfig = (extraModels: unknown[] = []) => ({
    name,
    profile: "swarm",
    swarm: { loadBalancerImage: tagAsPinned("haproxy:3.2.6", local) },
    litellm: { image: tagAsPinned(PINNED_LITELLM_IMAGE, local), port },
    database: { enabled: false },
    redis: { image: tagAsPinned("redis:8.2.2", local) },
    models: [{ preset: "mock" }, ...extraModels],
    openclaw: { primary: "mock" },
  });
  const commands = { fresh: new CommandSamples(checkout, "from nothing"), same: new CommandSamples(checkout, "nothing to change"), rolling: new CommandSamples(checkout, "rolling update"), destroy: new CommandSamples(checkout, "destroy") };
  const loads: LoadReport[] = [];
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let round = 0; round <= runs; round++) {
      const measured = round > 0;
      checkout.writeConfig(stackConfig());
      await commands.fresh.run("deploy", measured, /deployed$/, env);
      await untilServing(`${url}/health/liveliness`, 10_000);
      await commands.same.run("deploy", measured, /nothing changed$/, env);
      checkout.writeConfig(stackConfig([{ preset: "mock", id: `mock-${round}`, name: `Round ${round}` }]));
      const traffic = new ContinuousLoad({ baseUrl: url, key: masterKey, model: "mock" }, 8);
      await commands.rolling.run("deploy", measured, /deployed$/, env);
      const report = await traffic.stop();
      if (measured) loads.push(report);
      await commands.destroy.run("destroy", measured, /destroyed$/, env);
    }
  } finally {
    await checkout.npm("destroy", [], env, false);
    checkout.remove();
  }
  const all = Object.values(commands);
  return [
    table(
      ["deploy, swarm profile: 3 replicas, Redis, load balancer; mock model", "median s", "requests", "failed", "longest without an answer"],
      [
        ["npm run deploy from nothing, to exit", seconds(commands.fresh.median), "", "", ""],
        ["npm run deploy with nothing to change", seconds(commands.same.median), "", "", ""],
        [
          "npm run deploy, a catalog change: the rolling update, total, under 8 clients",
          seconds(commands.rolling.median),
          String(median(loads.map((l) => l.sent))),
          String(median(loads.map((l) => l.failed))),
          `${seconds(median(loads.map((l) => l.longestGapMs)))} s`,
        ],
        ["npm run destroy", seconds(commands.destroy.median), "", "", ""],
      ],
    ),
    "",
    stepTable(all),
    "",
    resourceTable(all),
  ].join("\n");
}
