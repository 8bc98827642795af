/**
 * The swarm profile on a real single-node swarm, where Terraform cannot reach: LiteLLM replicas
 * behind HAProxy with their secrets kept out of the service definitions, a rate limit shared through
 * Redis, and a replica killed under load. The services are created from the stack's own
 * ServiceSpecs. Rolling updates, rollback and teardown run through `npm run deploy | destroy` in
 * real-path.e2e.test.ts. `.ci/run` turns the engine into a single-node
 * swarm for the suite (and back); elsewhere the suite skips with the reason printed.
 * Not here: Postgres and the migrations task (database.e2e.test.ts runs the database through the
 * container profile), multi-node networking.
 */
import type { StackConfig } from "../../src/catalog/validate";
import { swarmNames } from "../../src/swarm/swarm-specs";
import { freePort, loadE2EConfig } from "./harness/deployment";
import { chatThrough, ContinuousLoad, type ChatTarget } from "./harness/continuous-load";
import { assertEngineAnswers, docker } from "./harness/engine";
import { buildLocalImages } from "./harness/images";
import { SwarmDeployment, swarmManagerNow } from "./harness/swarm";
import { CountingUpstream } from "./harness/counting-upstream";
import { burst, earlyInAMinute, firstMinute } from "./harness/minute-burst";
import { waitFor } from "./harness/wait";

assertEngineAnswers();
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const REPLICAS = 3;
const LIMIT = 10;
const deployments: SwarmDeployment[] = [];
// Decided at load time, so that without a swarm the tests are reported as skipped, never as passed.
const active = swarmManagerNow();
if (!active) process.stderr.write("SKIPPED (swarm profile): this engine is not a swarm manager; `.ci/run` runs `docker swarm init` for the suite\n");
const images = active ? buildLocalImages() : undefined!;
const swarmTest = active ? test : test.skip;

/** The upstreams of the `failover` model, run by the suite on the host (see routing.e2e.test.ts). */
let steady: CountingUpstream;
let flaky: CountingUpstream;
/** Swarm tasks reach the host through docker_gwbridge, the bridge of the node's egress. */
let hostFromTasks: string;
const COOLDOWN_SECONDS = 60;

beforeAll(async () => {
  if (!active) return;
  steady = new CountingUpstream("steady", await freePort());
  flaky = new CountingUpstream("flaky", await freePort());
  await steady.start();
  await flaky.start();
  const gateway = (await docker.getNetwork("docker_gwbridge").inspect()).IPAM?.Config?.[0]?.Gateway;
  if (!gateway) throw new Error("docker_gwbridge has no gateway address: is this engine a swarm node?");
  hostFromTasks = gateway;
});

afterAll(async () => {
  for (const deployment of deployments) await deployment.destroy().catch((error) => process.stderr.write(`cleanup: ${error}\n`));
  await steady?.close();
  await flaky?.close();
}, 5 * 60_000);

async function swarmConfig(name: string, adjust: (raw: Record<string, any>) => Record<string, any> = (raw) => raw): Promise<StackConfig> {
  return loadE2EConfig({
    name,
    port: await freePort(),
    databaseEnabled: false,
    adjust: (raw) =>
      adjust({
        ...raw,
        profile: "swarm",
        swarm: { replicas: REPLICAS, loadBalancerImage: "haproxy:3.2.6" },
        models: [
          ...raw.models,
          { preset: "mock", id: "mock-limited", name: "Mock, rate limited", rpm: LIMIT },
          {
            id: "failover",
            name: "Two upstreams",
            contextWindow: 8192,
            maxTokens: 100,
            deployments: [steady, flaky].map((u) => u.deploymentAt(hostFromTasks)),
          },
        ],
        // The e2e catalog turns retries off for its fallback checks; a group needs them.
        router: { ...raw.router, numRetries: 3, cooldownSeconds: COOLDOWN_SECONDS },
      }),
  });
}

async function deployed(config: StackConfig): Promise<SwarmDeployment> {
  const deployment = new SwarmDeployment(config, images);
  deployments.push(deployment);
  await deployment.deploy();
  return deployment;
}

const target = (deployment: SwarmDeployment, model = "mock"): ChatTarget => ({
  baseUrl: deployment.baseUrl,
  key: deployment.secrets.masterKey,
  model,
});

/** Requests on fresh connections, so the load balancer's round robin reaches every replica. */
async function replicasAnswering(
  deployment: SwarmDeployment,
  model: string,
  requests: number
): Promise<{ statuses: number[]; replicas: Set<string> }> {
  const statuses: number[] = [];
  const replicas = new Set<string>();
  for (let i = 0; i < requests; i++) {
    const result = await chatThrough(target(deployment, model), false);
    statuses.push(result.status);
    if (result.replica) replicas.add(result.replica);
  }
  return { statuses, replicas };
}

/** Of a burst of 45 limited requests, how many were served inside one calendar minute. */
async function servedOf(deployment: SwarmDeployment): Promise<number> {
  await earlyInAMinute();
  const samples = await burst(async () => (await chatThrough(target(deployment, "mock-limited"), false)).status, 45, 6);
  const minute = firstMinute(samples);
  expect(minute.unexpected).toEqual([]);
  // Enough of the burst inside the minute for the count to mean something either way.
  expect(minute.sent).toBeGreaterThanOrEqual(LIMIT * 3);
  return minute.served;
}

describe("swarm profile", () => {
  let main: SwarmDeployment;

  swarmTest(
    `${REPLICAS} replicas become healthy behind the load balancer, and every one serves`,
    async () => {
      const config = await swarmConfig(`e2e-swarm-${runId}`);
      expect(config.redis.enabled).toBe(true); // the default with 3 replicas
      main = await deployed(config);
      const names = swarmNames(config.name);
      expect(await main.taskAddresses(names.litellm)).toHaveLength(REPLICAS);
      const { statuses, replicas } = await replicasAnswering(main, "mock", REPLICAS * 6);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(replicas.size).toBe(REPLICAS);
      // Secrets travel as swarm secrets: the service's definition does not hold them.
      const inspected = JSON.stringify(await (await main.service(names.litellm))!.inspect());
      expect(inspected).not.toContain(main.secrets.masterKey);
      expect(inspected).not.toContain(main.secrets.redisPassword!);
    },
    10 * 60_000
  );

  swarmTest(
    `a limit of ${LIMIT}/min holds across ${REPLICAS} replicas with Redis; without Redis about ${REPLICAS} times as much gets through`,
    async () => {
      const shared = await servedOf(main);
      const withoutRedis = await swarmConfig(`e2e-swarm-noredis-${runId}`);
      const apart = await servedOf(await deployed({ ...withoutRedis, redis: { ...withoutRedis.redis, enabled: false } }));
      process.stdout.write(`served inside one minute (limit ${LIMIT}/min, ${REPLICAS} replicas): with Redis ${shared}, without ${apart}\n`);
      expect(shared).toBeGreaterThanOrEqual(LIMIT - 1);
      expect(shared).toBeLessThanOrEqual(LIMIT + 2);
      expect(apart).toBeGreaterThanOrEqual(LIMIT * 2);
      await deployments.pop()!.destroy();
    },
    10 * 60_000
  );

  swarmTest(
    "a deployment cooled down by one replica gets no request from the others: cooldowns are shared through Redis",
    async () => {
      // One request at a time, each on a fresh connection (so on any replica), until one of them
      // meets the failing deployment: only the replica that served it has seen it fail.
      await flaky.setMode("error");
      const start = flaky.hits;
      let witness: string | undefined;
      for (let i = 0; i < 40 && flaky.hits === start; i++) {
        const answer = await chatThrough(target(main, "failover"), false);
        expect(answer.status).toBe(200);
        if (flaky.hits > start) witness = answer.replica;
      }
      expect(witness).toBeDefined();
      // Healthy again at once: a replica that did not share the cooldown would send it about half
      // of its requests now.
      await flaky.setMode("ok");
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const before = flaky.hits;
      const { statuses, replicas } = await replicasAnswering(main, "failover", REPLICAS * 8);
      process.stdout.write(`shared cooldown: replica ${witness} saw the failure; then ${flaky.hits - before} of ${statuses.length} requests through ${replicas.size} replicas reached the cooled-down deployment\n`);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(replicas.size).toBe(REPLICAS);
      expect(flaky.hits - before).toBe(0);
    },
    5 * 60_000,
  );

  swarmTest(
    "a replica's process killed under load: the service is back to every replica, and the failures are reported",
    async () => {
      const names = swarmNames(main.config.name);
      const load = new ContinuousLoad(target(main));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const [victim] = await docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${names.litellm}`] } });
      const killedAt = Date.now();
      await docker.getContainer(victim.Id).kill({ signal: "SIGKILL" });
      // Back to N: N tasks running, none of them the killed one (swarm first has to notice it died).
      await waitFor("a replacement task", 120_000, async () => {
        const tasks = await docker.listTasks({ filters: { service: [names.litellm], "desired-state": ["running"] } });
        const running = tasks.filter((t: any) => t.Status?.State === "running");
        const replaced = !running.some((t: any) => t.Status?.ContainerStatus?.ContainerID === victim.Id);
        return (replaced && running.length === REPLICAS) || undefined;
      });
      const back = (Date.now() - killedAt) / 1000;
      const report = await load.stop();
      process.stdout.write(
        `killed replica: back to ${REPLICAS} after ${back.toFixed(1)}s; ${report.sent} requests, ${
          report.failed
        } failed ${report.failures.join("; ")}\n`
      );
      // Only requests in flight on that replica may fail (8 clients: at most a few); with HAProxy's retries, usually none.
      expect(report.failed).toBeLessThanOrEqual(8);
      expect(report.sent).toBeGreaterThan(50);
    },
    5 * 60_000
  );
});
