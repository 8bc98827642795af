/**
 * More than one LiteLLM process shares its state through Redis: a per-deployment rate limit that
 * LiteLLM enforces holds across two workers with the stack's Redis, and lets roughly twice as much
 * through without it. Real engine, real LiteLLM (2 uvicorn workers), Debian's redis-server.
 */
import type { StackConfig } from "../../src/catalog/validate";
import { Deployment, freePort, loadE2EConfig } from "./harness/deployment";
import { assertEngineAnswers } from "./harness/engine";
import { chatThrough } from "./harness/continuous-load";
import { buildLocalImages } from "./harness/images";
import { burst, earlyInAMinute, firstMinute } from "./harness/minute-burst";

assertEngineAnswers();
const images = buildLocalImages();
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const LIMIT = 10;
const REQUESTS = 40;
const deployments: Deployment[] = [];

afterAll(async () => {
  for (const deployment of deployments) await deployment.destroy();
});

async function limitedStack(name: string, withRedis: boolean): Promise<Deployment> {
  const validated = loadE2EConfig({
    name,
    port: await freePort(),
    databaseEnabled: false,
    adjust: (raw) => ({
      ...raw,
      litellm: { ...raw.litellm, workers: 2 },
      models: [...raw.models, { preset: "mock", id: "mock-limited", name: "Mock, rate limited", rpm: LIMIT }],
    }),
  });
  expect(validated.redis.enabled).toBe(true); // the default with two workers
  // The comparison run: the same stack with Redis taken away, which validation refuses to deploy.
  const config: StackConfig = withRedis ? validated : { ...validated, redis: { ...validated.redis, enabled: false } };
  const deployment = new Deployment(config, config, images);
  deployments.push(deployment);
  await deployment.startProxy();
  return deployment;
}

/** Of a burst of limited requests, each on a connection of its own (so the kernel spreads them over both workers), how many were served inside one calendar minute. */
async function served(deployment: Deployment): Promise<number> {
  await earlyInAMinute();
  const target = { baseUrl: deployment.baseUrl, key: deployment.secrets.masterKey, model: "mock-limited" };
  const minute = firstMinute(await burst(async () => (await chatThrough(target, false)).status, REQUESTS, 4));
  expect(minute.unexpected).toEqual([]);
  // Enough of the burst inside the minute for the count to mean something either way.
  expect(minute.sent).toBeGreaterThanOrEqual(LIMIT * 2.5);
  return minute.served;
}

test(`two workers with the stack's Redis hold a limit of ${LIMIT} requests per minute together; without Redis roughly twice as many get through`, async () => {
  const shared = await served(await limitedStack(`e2e-redis-${runId}`, true));
  const apart = await served(await limitedStack(`e2e-noredis-${runId}`, false));
  process.stdout.write(`requests served inside one minute, of ${REQUESTS} sent (limit ${LIMIT}/min, 2 workers): with Redis ${shared}, without ${apart}\n`);
  expect(shared).toBeGreaterThanOrEqual(LIMIT - 1);
  expect(shared).toBeLessThanOrEqual(LIMIT + 2);
  expect(apart).toBeGreaterThanOrEqual(Math.round(LIMIT * 1.5));
  // Two LiteLLM boots (each may take its 300 s health limit beside the other lanes: load average 12
  // in a CI run) and two waits for a minute's start: more than jest's 5 min default. What is
  // measured is counted inside one calendar minute, so the time this takes changes no count.
}, 12 * 60_000);
