/**
 * The kubernetes profile on the real single-node cluster of ../shared/kubernetes, through the
 * commands a user runs (`npm run deploy | drift | stacks | keys | destroy`) with the real
 * hashicorp/kubernetes provider from the mirror. One stack, deployed once and changed in turn:
 * from nothing, bad input refused, a catalog, an image and a replicas change under 4 clients, a
 * release that cannot start, Postgres' pod deleted by hand, a ClusterIP Service the commands reach
 * through the API server, and a destroy that leaves nothing of the stack in the cluster.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { migrationJobName, STACK_LABEL } from "../../src/kubernetes/kubernetes-names";
import type { KubeConnection } from "../../src/lifecycle/kubernetes-api";
import { Checkout, type CommandResult, realPathUnavailableReason } from "./harness/checkout";
import { ContinuousLoad } from "./harness/continuous-load";
import { buildLocalImages, tagAsPinned } from "./harness/images";
import { clusterApi, clusterUnavailableReason, clusterUp, deleteObject, getObject, loadImages } from "./harness/kubernetes";
import { chat } from "./harness/proxy-client";
import { waitFor } from "./harness/wait";

const unavailable = realPathUnavailableReason() ?? clusterUnavailableReason();
if (unavailable) console.warn(`SKIPPED the kubernetes profile suite: ${unavailable}`);
const describeCluster = unavailable ? describe.skip : describe;

const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const NAME = `k8s-${runId}`;
/** Node ports of the kit's default range, unlikely to be held by anything else here. */
const NODE_PORT = 30000 + (process.pid % 2000) + 700;
const BASE_URL = `http://localhost:${NODE_PORT}`;
const RETAGGED = `${PINNED_LITELLM_IMAGE}-e2e-retag`;

let checkout: Checkout;
let kubeconfig: string;
let api: KubeConnection;
let env: NodeJS.ProcessEnv;

function config(changes: { models?: unknown[]; kubernetes?: Record<string, unknown>; litellm?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    name: NAME,
    profile: "kubernetes",
    litellm: { ...changes.litellm },
    kubernetes: { replicas: 2, service: { type: "NodePort", nodePort: NODE_PORT }, resources: { cpu: "100m", memory: "2Gi" }, ...changes.kubernetes },
    models: changes.models ?? [{ preset: "mock" }, { preset: "mock", id: "mock-priced", name: "Priced mock", cost: { input: 3000, output: 3000 } }],
    router: { numRetries: 0 },
    openclaw: { primary: "mock" },
    keys: [{ alias: "team", maxBudget: 50, budgetDuration: "monthly" }],
  };
}

function expectDone(result: CommandResult, summary: RegExp): void {
  if (result.status !== 0) process.stdout.write(`--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}\n`);
  expect(result.status).toBe(0);
  expect(result.lastLine).toMatch(summary);
}

const deployedLine = new RegExp(`^stack "${NAME}" (deployed|is up to date: nothing changed)$`);
const ns = (path = "") => `/api/v1/namespaces/${NAME}${path}`;
const apps = (path: string) => `/apis/apps/v1/namespaces/${NAME}${path}`;

async function keyValue(alias: string): Promise<string> {
  const result = await checkout.npm("keys", ["get", alias], env, false);
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

/** Deploys under 4 clients, each opening a connection per request (a Service balances connections). */
async function deployUnderLoad(what: string, masterKey: string): Promise<{ deployed: CommandResult; failed: number; sent: number }> {
  const load = new ContinuousLoad({ baseUrl: BASE_URL, key: masterKey, model: "mock" }, 4, false);
  const deployed = await checkout.npm("deploy", [], env);
  const report = await load.stop();
  process.stdout.write(`${what} under 4 clients: ${report.sent} requests, ${report.failed} failed (${report.failures.join("; ")}), longest gap ${report.longestGapMs} ms, deploy ${deployed.seconds.toFixed(1)} s\n`);
  return { deployed, failed: report.failed, sent: report.sent };
}

async function migrationJobs(): Promise<{ name: string; succeeded: number }[]> {
  const jobs = await getObject(api, `/apis/batch/v1/namespaces/${NAME}/jobs`);
  return (jobs?.items ?? []).map((job: any) => ({ name: job.metadata.name, succeeded: job.status?.succeeded ?? 0 }));
}

describeCluster("kubernetes profile", () => {
  let masterKey: string;

  beforeAll(() => {
    kubeconfig = clusterUp();
    api = clusterApi(kubeconfig);
    const local = buildLocalImages();
    // The pinned names a user's file resolves, with the stand-ins behind them, in the cluster's
    // own image store (nothing can be pulled here); the retag is an "upgrade" of the same bytes.
    const images = [tagAsPinned(PINNED_LITELLM_IMAGE, local), tagAsPinned("postgres:16.10", local), tagAsPinned("redis:8.2.2", local)];
    spawnSync("docker", ["tag", images[0], RETAGGED]);
    const started = Date.now();
    loadImages([...images, RETAGGED]);
    process.stdout.write(`images loaded into the cluster in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    checkout = new Checkout("kubernetes");
    env = { KUBECONFIG: kubeconfig };
    checkout.writeConfig(config());
  }, 20 * 60_000);

  afterAll(async () => {
    if (!checkout) return;
    if (await getObject(api, ns()).catch(() => undefined)) await checkout.npm("destroy", [], { ...env, LITELLM_DELETE_DATA: "yes" }, false);
    checkout.remove();
  }, 10 * 60_000);

  test("deploys from nothing: every object, the mock answering through the Service with the declared key, the snippet's URL, drift 0", async () => {
    expectDone(await checkout.npm("deploy", [], env), deployedLine);
    const namespace = await getObject(api, ns());
    expect(namespace.metadata.labels[STACK_LABEL]).toBe(NAME);
    for (const path of [ns("/secrets/litellm-env"), ns("/configmaps/litellm-config"), ns("/persistentvolumeclaims/postgres-data"), ns("/services/litellm"), ns("/services/postgres"), ns("/services/redis"), `/apis/policy/v1/namespaces/${NAME}/poddisruptionbudgets/litellm`]) {
      expect([path, await getObject(api, path).then(Boolean)]).toEqual([path, true]);
    }
    for (const name of ["litellm", "postgres", "redis"]) {
      const deployment = await getObject(api, apps(`/deployments/${name}`));
      expect([name, deployment.status.readyReplicas]).toEqual([name, name === "litellm" ? 2 : 1]);
    }
    expect(await migrationJobs()).toEqual([{ name: migrationJobName(PINNED_LITELLM_IMAGE), succeeded: 1 }]);
    // The ConfigMap holds the catalog, never a secret value.
    masterKey = (await checkout.npm("keys", ["master-key"], env, false)).stdout.trim();
    const configMap = await getObject(api, ns("/configmaps/litellm-config"));
    expect(JSON.stringify(configMap)).not.toContain(masterKey);
    expect(configMap.data["config.yaml"]).toContain("os.environ/LITELLM_MASTER_KEY");

    const key = await keyValue("team");
    const answer = await chat(BASE_URL, key, { model: "mock", messages: [{ role: "user", content: "hi" }] });
    expect(answer.status).toBe(200);
    const infoAnswer = await fetch(`${BASE_URL}/key/info?key=${key}`, { headers: { authorization: `Bearer ${masterKey}` } });
    expect(infoAnswer.status).toBe(200);
    expect(((await infoAnswer.json()) as any).info.max_budget).toBe(50);
    const snippet = readFileSync(join(checkout.dir, "cdktf.out", "stacks", NAME, "openclaw.json5"), "utf8");
    expect(snippet).toContain(`baseUrl: '${BASE_URL}'`);
    // No secret value in anything synthesized.
    for (const file of readdirSync(join(checkout.dir, "cdktf.out", "stacks", NAME))) {
      if (file.endsWith(".json") || file.endsWith(".yaml") || file.endsWith(".json5")) expect([file, readFileSync(join(checkout.dir, "cdktf.out", "stacks", NAME, file), "utf8").includes(masterKey)]).toEqual([file, false]);
    }
    expectDone(await checkout.npm("drift", [], env), /^no drift: /);
    const stacks = await checkout.npm("stacks", ["--json"], env, false);
    expect(JSON.parse(stacks.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ stack: NAME, url: BASE_URL, state: `2/2 ready (namespace ${NAME})` })]));
  }, 20 * 60_000);

  test("bad input is refused before anything changes, each in one line with its cause and next step", async () => {
    const stateBefore = readFileSync(join(checkout.dir, "terraform-state", `${NAME}.tfstate`));
    const dead = join(checkout.dir, "dead.kubeconfig");
    writeFileSync(dead, readFileSync(kubeconfig, "utf8").replace(/server: https:\/\/[^\s]+/, "server: https://127.0.0.1:1"));
    const cases: [string, Record<string, unknown>, NodeJS.ProcessEnv, RegExp][] = [
      ["unreachable", config(), { KUBECONFIG: dead }, /^error: cannot reach the cluster of context "[^"]+" at https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\): start it, or choose another context \(kubernetes\.context\)\. Nothing was changed$/],
      ["wrong context", config({ kubernetes: { context: "prod" } }), env, /^error: kubernetes\.context "prod" is not in .* \(its contexts: [^)]+\): set kubernetes\.context to one of them\. Nothing was changed$/],
      ["another stack's namespace", { ...config(), name: `${NAME}-b`, kubernetes: { ...(config().kubernetes as object), namespace: NAME, service: { type: "ClusterIP" } } }, env, new RegExp(`^error: namespace "${NAME}" belongs to stack "${NAME}": set kubernetes\\.namespace`)],
      ["node port out of range", config({ kubernetes: { service: { type: "NodePort", nodePort: 40000 } } }), env, /^error: kubernetes\.service\.nodePort 40000 is outside this cluster's node port range 30000-32767: choose a port in it\. Nothing was changed$/],
      ["a quantity with a space", config({ kubernetes: { resources: { cpu: "100m", memory: "2 GB" } } }), env, /^\s*- kubernetes\.resources\.memory: must be a Kubernetes memory quantity without spaces/],
    ];
    for (const [what, file, extraEnv, line] of cases) {
      checkout.writeConfig(file);
      const refused = await checkout.npm("deploy", [], extraEnv);
      expect([what, refused.status, refused.lastLine]).toEqual([what, 1, expect.stringMatching(line)]);
    }
    checkout.writeConfig(config());
    expect(readFileSync(join(checkout.dir, "terraform-state", `${NAME}.tfstate`)).equals(stateBefore)).toBe(true);
    expectDone(await checkout.npm("drift", [], env), /^no drift: /);
  }, 10 * 60_000);

  test("a catalog change rolls the pods under 4 clients with 0 failed requests, and runs no migration", async () => {
    checkout.writeConfig(config({ models: [...(config().models as unknown[]), { preset: "mock", id: "mock-new", name: "New", mockResponse: "new catalog" }] }));
    const { deployed, failed, sent } = await deployUnderLoad("catalog change", masterKey);
    expectDone(deployed, deployedLine);
    expect(sent).toBeGreaterThan(20);
    expect(failed).toBe(0);
    const answer = await chat(BASE_URL, masterKey, { model: "mock-new", messages: [{ role: "user", content: "hi" }] });
    expect(answer.body.choices[0].message.content).toBe("new catalog");
    expect(await migrationJobs()).toEqual([{ name: migrationJobName(PINNED_LITELLM_IMAGE), succeeded: 1 }]);
  }, 15 * 60_000);

  test("an image change migrates once (a new Job, the old one gone), then rolls under load with 0 failed requests", async () => {
    checkout.writeConfig(config({ litellm: { image: RETAGGED } }));
    const { deployed, failed } = await deployUnderLoad("image change", masterKey);
    expectDone(deployed, deployedLine);
    expect(failed).toBe(0);
    expect(await migrationJobs()).toEqual([{ name: migrationJobName(RETAGGED), succeeded: 1 }]);
    const deployment = await getObject(api, apps("/deployments/litellm"));
    expect(deployment.spec.template.spec.containers[0].image).toBe(RETAGGED);
  }, 15 * 60_000);

  test("a replicas change (2 -> 3) under load with 0 failed requests", async () => {
    checkout.writeConfig(config({ litellm: { image: RETAGGED }, kubernetes: { replicas: 3 } }));
    const { deployed, failed } = await deployUnderLoad("replicas 2 -> 3", masterKey);
    expectDone(deployed, deployedLine);
    expect(failed).toBe(0);
    expect((await getObject(api, apps("/deployments/litellm"))).status.readyReplicas).toBe(3);
  }, 15 * 60_000);

  test("a release that cannot start stops the deploy within a minute, the pods before keep serving, and it is rolled back", async () => {
    const running = config({ litellm: { image: RETAGGED }, kubernetes: { replicas: 3 } });
    checkout.writeConfig({ ...running, kubernetes: { ...(running.kubernetes as object), resources: { cpu: "100m", memory: "256Mi" } } });
    const { deployed, failed } = await deployUnderLoad("release killed at boot", masterKey);
    expect(deployed.status).toBe(1);
    expect(deployed.seconds).toBeLessThan(120);
    expect(deployed.lastLine).toMatch(/^deploy stopped: pod litellm-\S+ failed \((CrashLoopBackOff|restarted \d+x)[^)]*OOMKilled.*\); the pods from before kept serving; the Deployment was rolled back to the release before; the state was refreshed from what the cluster runs\. Fix the cause, then run the deploy again$/);
    expect(failed).toBe(0);
    const template = (await getObject(api, apps("/deployments/litellm"))).spec.template.spec.containers[0];
    expect(template.resources.limits.memory).toBe("2Gi");
    // The failed change is still to make, and with the file back nothing is.
    expect((await checkout.npm("drift", [], env)).status).toBe(2);
    checkout.writeConfig(running);
    expectDone(await checkout.npm("deploy", [], env), deployedLine);
  }, 15 * 60_000);

  test("keys, budgets and spend survive Postgres' pod deleted by hand", async () => {
    const key = await keyValue("team");
    for (let i = 0; i < 3; i++) expect((await chat(BASE_URL, key, { model: "mock-priced", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
    const spendOf = async () => {
      const answer = await fetch(`${BASE_URL}/key/info?key=${key}`, { headers: { authorization: `Bearer ${masterKey}` } });
      return answer.status === 200 ? (((await answer.json()) as any).info as { spend: number; max_budget: number }) : undefined;
    };
    // LiteLLM writes spend in batches.
    const before = await waitFor("the key's spend written", 120_000, async () => ((await spendOf())?.spend ?? 0) > 0 ? spendOf() : undefined, 2_000);
    const postgresPods = () => getObject(api, ns(`/pods?labelSelector=${encodeURIComponent("litellm-stack.io/component=postgres")}`));
    const old = (await postgresPods()).items[0].metadata.name;
    expect(await deleteObject(api, ns(`/pods/${old}`))).toBe(200);
    // A new pod on the same claim, ready: LiteLLM's key cache could answer without it.
    await waitFor("a new Postgres pod, ready", 300_000, async () => {
      const ready = (await postgresPods()).items.filter((pod: any) => pod.metadata.name !== old && pod.status.containerStatuses?.[0]?.ready);
      return ready.length > 0 ? true : undefined;
    }, 2_000);
    await waitFor("the key answering", 300_000, async () => ((await chat(BASE_URL, key, { model: "mock", messages: [{ role: "user", content: "hi" }] }).catch(() => ({ status: 0 }))).status === 200 ? true : undefined), 2_000);
    const after = await waitFor("the key's info", 120_000, spendOf, 2_000);
    expect(after.max_budget).toBe(50);
    expect(after.spend).toBeGreaterThanOrEqual(before!.spend);
  }, 15 * 60_000);

  test("behind a ClusterIP Service, the keys step and `keys reconcile` reach the proxy through the Kubernetes API", async () => {
    checkout.writeConfig(config({ litellm: { image: RETAGGED }, kubernetes: { replicas: 3, service: { type: "ClusterIP" } } }));
    expectDone(await checkout.npm("deploy", [], env), deployedLine);
    const outputs = JSON.parse(readFileSync(join(checkout.dir, "outputs.json"), "utf8"))[NAME];
    expect(outputs.base_url).toBe(`http://litellm.${NAME}.svc.cluster.local:4000`);
    // Unreachable from here by name; the commands go through the API server.
    expect((await fetch(`${BASE_URL}/health/liveliness`).catch(() => undefined))?.status).toBeUndefined();
    expectDone(await checkout.npm("keys", ["reconcile"], env), /key team is up to date/);
  }, 15 * 60_000);

  test("destroy leaves nothing of the stack in the cluster", async () => {
    expectDone(await checkout.npm("destroy", [], env), new RegExp(`^stack "${NAME}" destroyed`));
    expect(await getObject(api, ns())).toBeUndefined();
    const volumes = await getObject(api, "/api/v1/persistentvolumes");
    expect(volumes.items.filter((pv: any) => pv.spec.claimRef?.namespace === NAME)).toEqual([]);
    const labelled = await getObject(api, `/api/v1/services?labelSelector=${encodeURIComponent(`${STACK_LABEL}=${NAME}`)}`);
    expect(labelled.items).toEqual([]);
  }, 10 * 60_000);
});
