/**
 * npm run bench -- swarm: the swarm profile against the container profile, in one run.
 *   - throughput on the mock model with 1, 2 and 3 replicas (ratio to 1 replica), and one container
 *     with 2 workers and Redis; the cost of Redis at the same process count (3 replicas without it);
 *   - a configuration change under load: failed requests and the longest time without an answer,
 *     for today's container replacement and for the swarm's rolling update.
 * Services come from the stack's own specs (test/e2e/harness/swarm.ts), traffic goes to 127.0.0.1.
 */
import type { StackConfig } from "../src/catalog/validate";
import { ContinuousLoad, type LoadReport } from "../test/e2e/harness/continuous-load";
import { Deployment, freePort, loadE2EConfig } from "../test/e2e/harness/deployment";
import type { LocalImages } from "../test/e2e/harness/images";
import { SwarmDeployment } from "../test/e2e/harness/swarm";
import { load } from "./load";
import { median, table } from "./stats";

const CHANGE_RUNS = Math.max(3, Number(process.env.BENCH_CHANGE_RUNS ?? 3));
const body = { model: "mock", messages: [{ role: "user", content: "hi" }] };

async function config(name: string, adjust: (raw: Record<string, any>) => Record<string, any>): Promise<StackConfig> {
  return loadE2EConfig({ name, port: await freePort(), databaseEnabled: false, adjust });
}

const swarmOf = (replicas: number) => (raw: Record<string, any>) => ({ ...raw, profile: "swarm", swarm: { replicas } });
const withModel = (id: string) => (raw: Record<string, any>) => ({ ...raw, models: [...raw.models, { preset: "mock", id, name: id }] });

interface Target {
  readonly label: string;
  readonly baseUrl: string;
  readonly key: string;
}

async function throughput(targets: readonly Target[], runs: number, concurrency: number): Promise<string> {
  const rps: number[][] = targets.map(() => []);
  const errors = targets.map(() => 0);
  for (const t of targets) await load(`${t.baseUrl}/v1/chat/completions`, { authorization: `Bearer ${t.key}` }, body, concurrency, 50, 10);
  for (let run = 0; run < runs; run++) {
    for (const [i, t] of targets.entries()) {
      const result = await load(`${t.baseUrl}/v1/chat/completions`, { authorization: `Bearer ${t.key}` }, body, concurrency, 400, 20);
      rps[i].push(result.rps);
      errors[i] += result.errors;
    }
  }
  const base = median(rps[0]);
  return table(
    [`throughput, mock model, ${concurrency} clients`, "req/s", "errors", "vs 1 replica"],
    targets.map((t, i) => [t.label, median(rps[i]).toFixed(1), String(errors[i]), `${(median(rps[i]) / base).toFixed(2)}x`])
  );
}

async function changeUnderLoad(label: string, target: Target, change: (run: number) => Promise<void>): Promise<string[]> {
  const reports: LoadReport[] = [];
  for (let run = 0; run < CHANGE_RUNS; run++) {
    const traffic = new ContinuousLoad({ baseUrl: target.baseUrl, key: target.key, model: "mock" });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await change(run);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    reports.push(await traffic.stop());
  }
  return [
    label,
    median(reports.map((r) => r.sent)).toFixed(0),
    median(reports.map((r) => r.failed)).toFixed(0),
    (median(reports.map((r) => r.longestGapMs)) / 1000).toFixed(2),
  ];
}

export async function benchSwarm(images: LocalImages, runs: number): Promise<string> {
  const created: { destroy(): Promise<void> }[] = [];
  try {
    const swarm = async (replicas: number, redis = true) => {
      const c = await config(`bench-swarm${replicas}${redis ? "" : "-noredis"}`, swarmOf(replicas));
      const deployment = new SwarmDeployment(redis ? c : { ...c, redis: { ...c.redis, enabled: false } }, images);
      created.push(deployment);
      await deployment.deploy();
      return deployment;
    };
    const container = async (name: string, adjust: (raw: Record<string, any>) => Record<string, any>) => {
      const c = await config(name, adjust);
      const deployment = new Deployment(c, c, images);
      created.push(deployment);
      await deployment.startProxy();
      return deployment;
    };
    const target = (label: string, d: { baseUrl: string; secrets: { masterKey: string } }): Target => ({
      label,
      baseUrl: d.baseUrl,
      key: d.secrets.masterKey,
    });

    const one = await swarm(1);
    const two = await swarm(2);
    const three = await swarm(3);
    const threeNoRedis = await swarm(3, false);
    const workers = await container("bench-workers2", (raw) => ({ ...raw, litellm: { ...raw.litellm, workers: 2 } }));
    // What the load balancer and the overlay network cost: the same single process, published directly.
    const direct = await container("bench-direct", (raw) => raw);
    const targets = [
      target("swarm, 1 replica (baseline)", one),
      target("container, 1 worker, no load balancer", direct),
      target("swarm, 2 replicas + Redis", two),
      target("swarm, 3 replicas + Redis", three),
      target("swarm, 3 replicas without Redis (unsafe)", threeNoRedis),
      target("container, 2 workers + Redis", workers),
    ];
    const load8 = await throughput(targets, runs, 8);
    const load32 = await throughput(targets, runs, 32);
    for (const d of [one, two, threeNoRedis, workers, direct]) await d.destroy();

    // One model added per run: each a real catalog change (a new config.yaml, a new container or rollout).
    const single = await container("bench-change", (raw) => raw);
    const base = single.proxyConfig;
    const containerRow = await changeUnderLoad("container: replace (remove, create)", target("", single), async (run) =>
      single.replace(
        "litellm",
        await config(base.name, (raw) => withModel(`added-${run}`)({ ...raw, litellm: { ...raw.litellm, port: base.litellm.port } }))
      )
    );
    const swarmBase = three.config;
    const swarmRow = await changeUnderLoad(`swarm: rolling update, 3 replicas`, target("", three), async (run) =>
      three.deploy(
        await config(swarmBase.name, (raw) =>
          withModel(`added-${run}`)(swarmOf(3)({ ...raw, litellm: { ...raw.litellm, port: swarmBase.litellm.port } }))
        )
      )
    );
    // The one part a rolling update cannot cover: the load balancer's own task (a host port cannot be held twice).
    const loadBalancerRow = await changeUnderLoad("swarm: load balancer task replaced", target("", three), () =>
      three.replaceTasks(three.specs().loadBalancer),
    );
    const change = table(
      [`a change under load (8 clients, median of ${CHANGE_RUNS})`, "requests", "failed", "longest s without an answer"],
      [containerRow, swarmRow, loadBalancerRow],
    );
    return [load8, load32, change].join("\n\n");
  } finally {
    for (const d of created) await d.destroy().catch(() => undefined);
  }
}
