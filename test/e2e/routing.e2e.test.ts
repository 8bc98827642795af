/**
 * One model id served by several deployments, against the real LiteLLM: weights, failover with
 * cooldowns, rate limits that spill over, a context-window fallback. The upstreams are LiteLLM's
 * own mock deployments and, where failures must be counted, the suite's CountingUpstream on the
 * host, reached through the stack network's gateway. LiteLLM runs from the stack's own specs and
 * generated config.yaml (no Terraform: real-path.e2e.test.ts covers that path).
 */
import { type UpstreamMode } from "./harness/counting-upstream";
import { assertEngineAnswers } from "./harness/engine";
import { buildLocalImages } from "./harness/images";
import { earlyInAMinute } from "./harness/minute-burst";
import { type Answer, ask as askOf, askMany as askManyOf, type RoutingStack, startRoutingStack } from "./harness/routing-stack";

assertEngineAnswers();
const images = buildLocalImages();
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
/** Long enough for a phase of requests to run inside one cooldown. */
const COOLDOWN_SECONDS = 20;
const PHASE_REQUESTS = 20;
let stack: RoutingStack;
const ask = (model: string, content?: string) => askOf(stack, model, content);
const askMany = (model: string, count: number) => askManyOf(stack, model, count);

const failedOf = (answers: readonly Answer[]) => answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.text.slice(0, 400)}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  // The stack's defaults for a model with several deployments (3 retries, each deployment cooled
  // down at its first failure), but a longer cooldown.
  stack = await startRoutingStack(`e2e-routing-${runId}`, images, { cooldownSeconds: COOLDOWN_SECONDS });
  expect(stack.config.router).toMatchObject({ numRetries: 3 });
  expect(stack.config.router.allowedFails).toBeUndefined();
}, 6 * 60_000);

afterAll(async () => {
  await stack?.close();
});

test("weights 3:1 over 800 requests: each deployment's share within 5 points of 75/25", async () => {
  const answers = await askMany("weighted", 800);
  expect(failedOf(answers)).toEqual([]);
  const heavy = answers.filter((a) => a.deploymentId === "weighted.heavy").length;
  const light = answers.filter((a) => a.deploymentId === "weighted.light").length;
  process.stdout.write(`weights 3:1 over 800 requests: heavy ${heavy}, light ${light}\n`);
  expect(heavy + light).toBe(800);
  // 800 requests: a share 5 points off 75 is over 3 standard deviations away.
  expect(Math.abs(heavy / 8 - 75)).toBeLessThanOrEqual(5);
}, 5 * 60_000);

test.each<[UpstreamMode, string]>([
  ["down", "connection refused"],
  ["error", "HTTP 500"],
  ["hang", "a hang past the timeout"],
])("one deployment failing (%s: %s): no client request fails, and the failing one gets no request while cooled down", async (mode) => {
  // Every phase starts with the flaky deployment out of any earlier cooldown.
  await sleep((COOLDOWN_SECONDS + 1) * 1000);
  await stack.flaky.setMode(mode);
  let answers: Answer[] = [];
  const started = Date.now();
  const hits = await stack.flaky.count(async () => {
    answers = await askMany("failover", PHASE_REQUESTS);
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`flaky ${mode}: ${hits} requests reached it in ${seconds.toFixed(1)} s, ${answers.filter((a) => a.deploymentId === "failover.steady").length} of ${PHASE_REQUESTS} served by steady\n`);
  expect(failedOf(answers)).toEqual([]);
  expect(answers.every((a) => a.deploymentId === "failover.steady")).toBe(true);
  // The whole phase ran inside one cooldown, so the failing deployment was tried only until its
  // first failure cooled it down: one request, or two or three when a retry raced LiteLLM's
  // failure callback (without the cooldown: about half of the attempts). A refused connection
  // never reaches it at all.
  expect(seconds).toBeLessThan(COOLDOWN_SECONDS);
  expect(hits).toBeLessThanOrEqual(3);
}, 3 * 60_000);

test("traffic returns to a recovered deployment after its cooldown", async () => {
  await stack.flaky.setMode("ok");
  await sleep((COOLDOWN_SECONDS + 1) * 1000);
  const answers = await askMany("failover", 40);
  const back = answers.filter((a) => a.deploymentId === "failover.flaky").length;
  process.stdout.write(`after recovery: flaky served ${back} of 40\n`);
  expect(failedOf(answers)).toEqual([]);
  expect(back).toBeGreaterThanOrEqual(8);
}, 2 * 60_000);

test("a deployment at its rpm sends the excess to the other; with both at their limit the client gets LiteLLM's 429", async () => {
  await earlyInAMinute();
  const answers = await askMany("limited", 14);
  const served = answers.filter((a) => a.status === 200);
  const byDeployment = (id: string) => served.filter((a) => a.deploymentId === id).length;
  process.stdout.write(`rpm 5 + 5: ${served.length} of 14 served (first ${byDeployment("limited.first")}, second ${byDeployment("limited.second")}), then ${answers.slice(served.length).map((a) => a.status).join(",")}\n`);
  // The first ten within the limits are served, whichever deployment each one lands on.
  expect(answers.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(200));
  expect([byDeployment("limited.first"), byDeployment("limited.second")]).toEqual([5, 5]);
  expect(answers.slice(10).map((a) => a.status)).toEqual([429, 429, 429, 429]);
}, 3 * 60_000);

test("a prompt over a model's context window is answered by its context-window fallback", async () => {
  const short = await ask("small");
  expect(short).toMatchObject({ status: 200, text: "answered by small" });
  // ~3000 tokens against small's window of 1000.
  const long = await ask("small", "lorem ipsum dolor sit amet ".repeat(600));
  expect(long).toMatchObject({ status: 200, text: "answered by large" });
}, 2 * 60_000);
