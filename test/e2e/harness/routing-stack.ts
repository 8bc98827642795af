/**
 * A proxy whose catalog exercises the router: weighted mock deployments, a model served by two
 * upstreams the suite runs (one of them can be made to fail), rate-limited deployments and a
 * context-window fallback. Booted once from the stack's own specs and generated config.yaml;
 * routing.e2e.test.ts and `npm run bench -- failover` share it.
 */
import type { StackConfig } from "../../../src/catalog/validate";
import { CountingUpstream } from "./counting-upstream";
import { Deployment, freePort, loadE2EConfig } from "./deployment";
import { docker } from "./engine";
import type { LocalImages } from "./images";

export interface RoutingStack {
  readonly deployment: Deployment;
  readonly config: StackConfig;
  /** The failover model's upstream that always answers. */
  readonly steady: CountingUpstream;
  /** The failover model's upstream that can be made to fail. */
  readonly flaky: CountingUpstream;
  close(): Promise<void>;
}

export interface Answer {
  readonly status: number;
  /** LiteLLM's x-litellm-model-id: which deployment answered. */
  readonly deploymentId: string;
  readonly text: string;
}

/** The router section as the test or the bench wants it; the rest of the catalog is fixed. */
function routingConfig(
  name: string,
  port: number,
  gateway: string,
  upstreams: readonly [CountingUpstream, CountingUpstream],
  router: Record<string, unknown>,
  litellm: Record<string, unknown>,
): StackConfig {
  const mock = (id: string, extra: Record<string, unknown> = {}) => ({ id, model: `openai/${id}`, mockResponse: `answered by ${id}`, ...extra });
  const face = (id: string, contextWindow = 128000) => ({ id, name: id, contextWindow, maxTokens: 100 });
  return loadE2EConfig({
    name,
    port,
    databaseEnabled: false,
    adjust: (raw) => ({
      ...raw,
      litellm: { ...raw.litellm, ...litellm },
      models: [
        { ...face("weighted"), deployments: [mock("heavy", { weight: 3 }), mock("light", { weight: 1 })] },
        { ...face("failover"), deployments: upstreams.map((u) => u.deploymentAt(gateway)) },
        { ...face("limited"), deployments: [mock("first", { rpm: 5 }), mock("second", { rpm: 5 })] },
        { ...face("small", 1000), model: "openai/small", mockResponse: "answered by small" },
        { ...face("large"), model: "openai/large", mockResponse: "answered by large" },
      ],
      router: { timeoutSeconds: 3, contextWindowFallbacks: { small: ["large"] }, ...router },
      openclaw: { primary: "failover" },
    }),
  });
}

/** @param litellm changes to the file's litellm section (a log level, workers) */
export async function startRoutingStack(
  name: string,
  images: LocalImages,
  router: Record<string, unknown>,
  litellm: Record<string, unknown> = {},
): Promise<RoutingStack> {
  const steady = new CountingUpstream("steady", await freePort());
  const flaky = new CountingUpstream("flaky", await freePort());
  await steady.start();
  await flaky.start();
  const port = await freePort();
  // The network first: its gateway is where LiteLLM reaches the suite's upstreams.
  const draft = routingConfig(name, port, "127.0.0.1", [steady, flaky], router, litellm);
  const deployment = new Deployment(draft, draft, images);
  await deployment.createNetworkAndVolume();
  const network = await docker.getNetwork(deployment.names.network).inspect();
  const gateway = network.IPAM?.Config?.[0]?.Gateway;
  if (!gateway) throw new Error(`network ${deployment.names.network} has no gateway address`);
  const config = routingConfig(name, port, gateway, [steady, flaky], router, litellm);
  await deployment.startRedis(config);
  await deployment.startLiteLLM(config);
  return {
    deployment,
    config,
    steady,
    flaky,
    async close() {
      await deployment.destroy();
      await steady.close();
      await flaky.close();
    },
  };
}

export async function ask(stack: RoutingStack, model: string, content = "hi"): Promise<Answer> {
  const res = await fetch(`${stack.deployment.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.deployment.secrets.masterKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });
  const body = (await res.json()) as { choices?: { message: { content: string } }[]; error?: { message: string } };
  return { status: res.status, deploymentId: res.headers.get("x-litellm-model-id") ?? "", text: body.choices?.[0]?.message.content ?? body.error?.message ?? "" };
}

/** `count` requests one after another (failover is judged per client request). */
export async function askMany(stack: RoutingStack, model: string, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await ask(stack, model));
  return answers;
}
