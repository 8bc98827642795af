/**
 * More than one LiteLLM process shares its state through Redis: a per-deployment rate limit that
 * LiteLLM enforces holds across two workers with the stack's Redis, and lets roughly twice as much
 * through without it. Real engine, real LiteLLM (2 uvicorn workers), Debian's redis-server.
 */
import { request } from "node:http";
import type { StackConfig } from "../../src/catalog/validate";
import { Deployment, freePort, loadE2EConfig } from "./harness/deployment";
import { assertEngineAnswers } from "./harness/engine";
import { buildLocalImages } from "./harness/images";

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

/** One request on a connection of its own, so the kernel spreads them over both workers. */
function chatOnce(baseUrl: string, key: string): Promise<number> {
  const url = new URL("/v1/chat/completions", baseUrl);
  const body = JSON.stringify({ model: "mock-limited", messages: [{ role: "user", content: "hi" }] });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent: false, timeout: 30_000, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", connection: "close" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * LiteLLM counts a deployment's requests per calendar minute: a burst that crosses a minute
 * boundary gets two allowances (seen here: 20 of 40 served with Redis). Start each burst early
 * in a minute, so it runs inside one.
 */
async function earlyInAMinute(): Promise<void> {
  const second = new Date().getUTCSeconds();
  if (second > 30) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
}

async function served(deployment: Deployment): Promise<number> {
  await earlyInAMinute();
  const started = Date.now();
  const statuses: number[] = [];
  // Four at a time: quick enough to stay inside LiteLLM's 60 s window, bounded in count and time.
  for (let i = 0; i < REQUESTS; i += 4) {
    statuses.push(...(await Promise.all([0, 1, 2, 3].map(() => chatOnce(deployment.baseUrl, deployment.secrets.masterKey)))));
  }
  expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  // The burst must have stayed inside one minute for the count to mean anything.
  expect(Date.now() - started).toBeLessThan(25_000);
  return statuses.filter((s) => s === 200).length;
}

test(`two workers with the stack's Redis hold a limit of ${LIMIT} requests per minute together; without Redis roughly twice as many get through`, async () => {
  const shared = await served(await limitedStack(`e2e-redis-${runId}`, true));
  const apart = await served(await limitedStack(`e2e-noredis-${runId}`, false));
  process.stdout.write(`requests served out of ${REQUESTS} (limit ${LIMIT}/min, 2 workers): with Redis ${shared}, without ${apart}\n`);
  expect(shared).toBeGreaterThanOrEqual(LIMIT - 1);
  expect(shared).toBeLessThanOrEqual(LIMIT + 2);
  expect(apart).toBeGreaterThanOrEqual(Math.round(LIMIT * 1.5));
});
