/**
 * One model id served by several deployments, against the real LiteLLM: weights, failover with
 * cooldowns, rate limits that spill over, a context-window fallback. The upstreams are LiteLLM's
 * own mock deployments and, where failures must be counted, the suite's CountingUpstream on the
 * host, reached through the stack network's gateway. LiteLLM runs from the stack's own specs and
 * generated config.yaml (no Terraform: real-path.e2e.test.ts covers that path).
 */
import type { StackConfig } from "../../src/catalog/validate";
import { CountingUpstream, type UpstreamMode } from "./harness/counting-upstream";
import { Deployment, freePort, loadE2EConfig } from "./harness/deployment";
import { assertEngineAnswers, docker } from "./harness/engine";
import { buildLocalImages } from "./harness/images";
import { earlyInAMinute } from "./harness/minute-burst";

assertEngineAnswers();
const images = buildLocalImages();
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const COOLDOWN_SECONDS = 8;
const ALLOWED_FAILS = 1;
let steady: CountingUpstream;
let flaky: CountingUpstream;
let deployment: Deployment;

/** The catalog: every routing feature on one proxy, so the suite boots LiteLLM once. */
function routingConfig(name: string, port: number, gateway: string, steadyPort: number, flakyPort: number): StackConfig {
  const mock = (id: string, extra: Record<string, unknown> = {}) => ({ id, model: `openai/${id}`, mockResponse: `answered by ${id}`, ...extra });
  const upstream = (id: string, upstreamPort: number) => ({
    id,
    model: `openai/${id}`,
    apiBase: `http://${gateway}:${upstreamPort}/v1`,
    apiKeyEnv: "E2E_DOWN_PROVIDER_KEY",
  });
  const face = (id: string, contextWindow = 128000) => ({ id, name: id, contextWindow, maxTokens: 100 });
  return loadE2EConfig({
    name,
    port,
    databaseEnabled: false,
    adjust: (raw) => ({
      ...raw,
      models: [
        { ...face("weighted"), deployments: [mock("heavy", { weight: 3 }), mock("light", { weight: 1 })] },
        { ...face("failover"), deployments: [upstream("steady", steadyPort), upstream("flaky", flakyPort)] },
        { ...face("limited"), deployments: [mock("first", { rpm: 5 }), mock("second", { rpm: 5 })] },
        { ...face("small", 1000), model: "openai/small", mockResponse: "answered by small" },
        { ...face("large"), model: "openai/large", mockResponse: "answered by large" },
      ],
      router: {
        allowedFails: ALLOWED_FAILS,
        cooldownSeconds: COOLDOWN_SECONDS,
        timeoutSeconds: 3,
        contextWindowFallbacks: { small: ["large"] },
      },
      openclaw: { primary: "failover" },
    }),
  });
}

interface Answer {
  readonly status: number;
  /** LiteLLM's x-litellm-model-id: which deployment answered. */
  readonly deploymentId: string;
  readonly text: string;
}

async function ask(model: string, content = "hi"): Promise<Answer> {
  const res = await fetch(`${deployment.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${deployment.secrets.masterKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });
  const body = (await res.json()) as { choices?: { message: { content: string } }[]; error?: { message: string } };
  return { status: res.status, deploymentId: res.headers.get("x-litellm-model-id") ?? "", text: body.choices?.[0]?.message.content ?? body.error?.message ?? "" };
}

/** `count` requests one after another (failover is judged per client request). */
async function askMany(model: string, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await ask(model));
  return answers;
}

const failedOf = (answers: readonly Answer[]) => answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.text.slice(0, 120)}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  steady = new CountingUpstream("steady", await freePort());
  await steady.start();
  flaky = new CountingUpstream("flaky", await freePort());
  await flaky.start();
  const name = `e2e-routing-${runId}`;
  const port = await freePort();
  // The network first: its gateway is where LiteLLM reaches the suite's upstreams.
  const draft = routingConfig(name, port, "127.0.0.1", 1, 1);
  deployment = new Deployment(draft, draft, images);
  await deployment.createNetworkAndVolume();
  const network = await docker.getNetwork(deployment.names.network).inspect();
  const gateway = network.IPAM?.Config?.[0]?.Gateway;
  if (!gateway) throw new Error(`network ${deployment.names.network} has no gateway address`);
  await deployment.startLiteLLM(routingConfig(name, port, gateway, steady.port, flaky.port));
}, 6 * 60_000);

afterAll(async () => {
  await deployment?.destroy();
  await steady?.close();
  await flaky?.close();
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
  await flaky.setMode(mode);
  let answers: Answer[] = [];
  const hits = await flaky.count(async () => {
    answers = await askMany("failover", 30);
  });
  process.stdout.write(`flaky ${mode}: ${hits} requests reached it, ${answers.filter((a) => a.deploymentId === "failover.steady").length} of 30 served by steady\n`);
  expect(failedOf(answers)).toEqual([]);
  expect(answers.every((a) => a.deploymentId === "failover.steady")).toBe(true);
  // Cooled down once more than allowedFails failed: what reached it is at most allowedFails + 1
  // (a refused connection never reaches it at all).
  expect(hits).toBeLessThanOrEqual(ALLOWED_FAILS + 1);
}, 3 * 60_000);

test("traffic returns to a recovered deployment after its cooldown", async () => {
  await flaky.setMode("ok");
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
