/**
 * The user's real path: `npm run deploy | destroy | keys | stacks | usage` in a checkout of the
 * project, with the real Terraform, the real kreuzwerker/docker and hashicorp/random providers
 * (from a filesystem mirror where the registry cannot be reached), the real engine, LiteLLM with its
 * real database. One sequence, as a user runs it in one checkout: deploy, check, redeploy, change,
 * experiment beside it, a failed release, keys, the data guard, destroy.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { loadStackConfig } from "../../src/catalog/load-config";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { loadPresets } from "../../src/catalog/presets";
import type { StackConfig } from "../../src/catalog/validate";
import { LABEL_PREFIX, resourceNames } from "../../src/specs/service-specs";
import { Checkout, type CommandResult, realPathUnavailableReason } from "./harness/checkout";
import { assertEngineAnswers, docker, objectsLabelled, removeLabelled } from "./harness/engine";
import { buildLocalImages, type LocalImages, tagAsPinned } from "./harness/images";
import { chatThrough, ContinuousLoad } from "./harness/continuous-load";
import { freePort } from "./harness/deployment";
import { swarmManagerNow } from "./harness/swarm";
import { chat } from "./harness/proxy-client";
import { waitFor } from "./harness/wait";

assertEngineAnswers();
const unavailable = realPathUnavailableReason();
if (unavailable) console.warn(`SKIPPED the real-path suite (npm run deploy with the real providers): ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const MOCK_TEXT = "Hello from the LiteLLM mock model.";
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const NAME = `rp-${runId}`;
const BROKEN_RELEASE_LOG = "simulated broken release: exiting at start";

let checkout: Checkout;
let local: LocalImages | undefined;
/** The stand-in images, built (or reused by tag) once for both profiles. */
const localImages = (): LocalImages => (local ??= buildLocalImages());
let images: Record<"litellm" | "postgres" | "brokenLiteLLM", string>;

/** The main stack's stack.config.yaml: the default file's shape, the mock model only (no provider is reachable). */
function mainConfig(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: NAME,
    litellm: { image: images.litellm, bindAddress: "127.0.0.1" },
    database: { image: images.postgres },
    models: [{ preset: "mock" }],
    router: { numRetries: 0 },
    openclaw: { primary: "mock" },
    logging: { storeRequestBodies: true, retention: "30d" },
    keys: [{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }],
    ...changes,
  };
}

/** The configuration as the commands read it (the project's own loader), for names and ports. */
function loaded(env: NodeJS.ProcessEnv = {}, file = checkout.configFile): StackConfig {
  return loadStackConfig(file, loadPresets(), env);
}

const baseUrl = (config: StackConfig) => `http://127.0.0.1:${config.litellm.port}`;

async function containerState(name: string): Promise<{ id: string; startedAt: string; running: boolean }> {
  const inspected = await docker.getContainer(name).inspect();
  return { id: inspected.Id, startedAt: inspected.State.StartedAt, running: inspected.State.Running };
}

async function askMock(config: StackConfig, key: string, model = "mock") {
  return chat(baseUrl(config), key, { model, messages: [{ role: "user", content: "hi" }] });
}

async function keyValue(alias: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await checkout.npm("keys", ["get", alias], env, false);
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

function expectDone(result: CommandResult, summary: RegExp): void {
  if (result.status !== 0) process.stdout.write(`--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}\n`);
  expect(result.status).toBe(0);
  expect(result.lastLine).toMatch(summary);
}

/** Every container, network and volume of a stack, found by the label the stack puts on each. */
const objectsOf = (config: StackConfig) => objectsLabelled(`${LABEL_PREFIX}.stack=${config.name}`);

beforeAll(() => {
  if (unavailable) return;
  const local = localImages();
  // The pinned references a user's file names, with the local stand-ins behind them (`docker load`
  // on an offline machine); the broken release is the same image whose process exits at start.
  const litellm = tagAsPinned(PINNED_LITELLM_IMAGE, local);
  const postgres = tagAsPinned("postgres:16.10", local);
  const brokenLiteLLM = `${PINNED_LITELLM_IMAGE}-broken-e2e`;
  const built = spawnSync("docker", ["build", "-q", "-t", brokenLiteLLM, "-"], {
    input: `FROM ${litellm}\nENTRYPOINT ["sh", "-c", "echo '${BROKEN_RELEASE_LOG}' >&2; exit 3"]\n`,
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`building ${brokenLiteLLM} failed: ${built.stderr}`);
  images = { litellm, postgres, brokenLiteLLM };
  checkout = new Checkout("real-path");
  checkout.writeConfig(mainConfig());
});

afterAll(async () => {
  if (unavailable || !checkout) return;
  // Pass or fail, leave nothing: the stacks' own destroy first, then anything it could not remove.
  for (const env of [{ EXPERIMENT: "nodb", LITELLM_STACK_CONFIG: `${checkout.dir}/nodb.config.yaml` }, {}]) {
    await checkout.npm("destroy", [], { ...env, LITELLM_DELETE_DATA: "yes" }, false);
  }
  for (const name of [NAME, `${NAME}-exp-nodb`]) await removeLabelled(`${LABEL_PREFIX}.stack=${name}`);
  checkout.remove();
});

describeReal("npm run deploy with the real providers: the container profile with its database", () => {
  let keyBefore: string;
  let idsAfterDeploy: Record<"postgres" | "litellm", { id: string; startedAt: string }>;

  test("deploys from nothing; the mock model answers with the stack's virtual key", async () => {
    const deployed = await checkout.npm("deploy");
    expectDone(deployed, new RegExp(`^stack "${NAME}" deployed$`));
    const config = loaded();
    keyBefore = await keyValue("openclaw");
    expect(keyBefore).toMatch(/^sk-/);
    const answer = await askMock(config, keyBefore);
    expect(answer.status).toBe(200);
    expect(answer.body.choices[0].message.content).toBe(MOCK_TEXT);
    const ready = (await (await fetch(`${baseUrl(config)}/health/readiness`)).json()) as { db?: string };
    expect(ready.db).toBe("connected");
    const names = resourceNames(NAME);
    idsAfterDeploy = { postgres: await containerState(names.postgres), litellm: await containerState(names.litellm) };
  });

  test("the drift check (terraform plan -detailed-exitcode, the deploy's variables) exits 0", async () => {
    const plan = await checkout.terraform(NAME, ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock-timeout=30s"]);
    if (plan.status !== 0) process.stdout.write(plan.stdout.slice(-3000));
    expect(plan.status).toBe(0);
  });

  test("a second deploy reports nothing to change and keeps the container ids and start times", async () => {
    const again = await checkout.npm("deploy");
    expectDone(again, new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
    const names = resourceNames(NAME);
    expect(await containerState(names.postgres)).toMatchObject(idsAfterDeploy.postgres);
    expect(await containerState(names.litellm)).toMatchObject(idsAfterDeploy.litellm);
  });

  test("npm run stacks lists the stack with its URL, as JSON for machines", async () => {
    const listed = await checkout.npm("stacks", ["--json"], {}, false);
    expect(listed.status).toBe(0);
    const stacks = JSON.parse(listed.stdout) as { stack: string; url?: string; port?: number }[];
    expect(stacks).toEqual(expect.arrayContaining([expect.objectContaining({ stack: NAME, port: 4000, url: "http://localhost:4000", state: "running" })]));
  });

  test("a catalog change replaces only the LiteLLM container; the key and its data stay", async () => {
    checkout.writeConfig(mainConfig({ models: [{ preset: "mock" }, { preset: "mock", id: "mock-2", name: "Mock 2", mockResponse: "Second mock." }] }));
    const changed = await checkout.npm("deploy");
    expectDone(changed, new RegExp(`^stack "${NAME}" deployed$`));
    expect(changed.stdout).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy\./);
    const names = resourceNames(NAME);
    expect(await containerState(names.postgres)).toMatchObject(idsAfterDeploy.postgres);
    expect((await containerState(names.litellm)).id).not.toBe(idsAfterDeploy.litellm.id);
    const config = loaded();
    expect(await keyValue("openclaw")).toBe(keyBefore);
    const answer = await askMock(config, keyBefore, "mock-2");
    expect(answer.status).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("Second mock.");
  });

  test("an experiment without a database beside it: serves, leaves the main state byte-identical, and its destroy leaves nothing", async () => {
    const mainState = checkout.stateBytes(loaded());
    expect(mainState).toBeDefined();
    const file = `${checkout.dir}/nodb.config.yaml`;
    writeFileSync(file, stringify({ ...mainConfig(), database: { enabled: false }, keys: [], logging: undefined }));
    const env = { EXPERIMENT: "nodb", LITELLM_STACK_CONFIG: file };
    const experiment = loaded(env, file);
    expect(experiment.name).toBe(`${NAME}-exp-nodb`);

    expectDone(await checkout.npm("deploy", [], env), new RegExp(`^stack "${experiment.name}" deployed$`));
    const masterKey = await checkout.npm("keys", ["master-key"], env, false);
    expect(masterKey.status).toBe(0);
    const answer = await askMock(experiment, masterKey.stdout.trim());
    expect(answer.status).toBe(200);
    expect(answer.body.choices[0].message.content).toBe(MOCK_TEXT);
    const drift = await checkout.terraform(experiment.name, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    expect(drift.status).toBe(0);
    expect(checkout.stateBytes(loaded())).toEqual(mainState);

    expectDone(await checkout.npm("destroy", [], env), new RegExp(`^stack "${experiment.name}" destroyed$`));
    expect(await objectsOf(experiment)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(checkout.stateBytes(loaded())).toEqual(mainState);
    // The main stack still serves.
    expect((await askMock(loaded(), keyBefore)).status).toBe(200);
  });

  test("a release that exits at start stops the real apply within seconds with its log lines; the next deploy recovers", async () => {
    const good = mainConfig();
    checkout.writeConfig({ ...good, litellm: { ...(good.litellm as object), image: images.brokenLiteLLM } });
    const failed = await checkout.npm("deploy");
    process.stdout.write(`failed deploy took ${failed.seconds.toFixed(1)} s: ${failed.lastLine}\n`);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`deploy stopped: ${resourceNames(NAME).litellm} exited at start`));
    expect(failed.stderr).toContain(BROKEN_RELEASE_LOG);
    // Interrupted, not waited out: the provider's own wait would take the 300 s health timeout.
    expect(failed.seconds).toBeLessThan(120);
    const litellm = await docker.getContainer(resourceNames(NAME).litellm).inspect();
    expect(litellm.State.Running).toBe(false);

    checkout.writeConfig(good);
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${NAME}" deployed$`));
    const answer = await askMock(loaded(), keyBefore);
    expect(answer.status).toBe(200);
    const plan = await checkout.terraform(NAME, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    expect(plan.status).toBe(0);
  });

  test("requests appear in npm run usage with the key and model once LiteLLM's batched write has landed", async () => {
    const config = loaded();
    for (let i = 0; i < 3; i++) expect((await askMock(config, keyBefore)).status).toBe(200);
    const usage = await waitFor(
      "the usage report to count the key's requests",
      120_000,
      async () => {
        const result = await checkout.npm("usage", ["--json"], {}, false);
        if (result.status !== 0) return undefined;
        const report = JSON.parse(result.stdout);
        const row = (report.rows ?? []).find((r: { alias?: string; model?: string; requests?: number }) => /openclaw/.test(r.alias ?? "") && r.model === "mock");
        return row && row.requests >= 3 ? report : undefined;
      },
      5_000,
    );
    expect(JSON.stringify(usage)).toContain("openclaw");
  });

  test("keys: a dropped key is revoked by keys reconcile, and by a deploy; a deploy that declares it again creates a new value", async () => {
    const config = loaded();
    const dropKey = async (command: "keys" | "deploy", value: string) => {
      checkout.writeConfig(mainConfig({ keys: [] }));
      const result = command === "keys" ? await checkout.npm("keys", ["reconcile"]) : await checkout.npm("deploy");
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/deleted key openclaw \(no longer in the configuration\)/);
      expect((await askMock(config, value)).status).toBe(401);
    };
    const declareKey = async (revoked: string) => {
      checkout.writeConfig(mainConfig());
      const redeployed = await checkout.npm("deploy");
      expectDone(redeployed, new RegExp(`^stack "${NAME}" deployed$`));
      expect(redeployed.stdout).toMatch(/created key openclaw/);
      const fresh = await keyValue("openclaw");
      expect(fresh).not.toBe(revoked);
      expect((await askMock(config, fresh)).status).toBe(200);
      return fresh;
    };

    await dropKey("keys", keyBefore);
    // Nothing is left to revoke: the deploy after it only settles the state.
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${NAME}" deployed$`));
    const second = await declareKey(keyBefore);
    await dropKey("deploy", second);
    keyBefore = await declareKey(second);
  });

  test("the data guard refuses, in the real plan, a deploy that would delete the protected volume; nothing changes", async () => {
    checkout.writeConfig(mainConfig({ database: { image: images.postgres, keepDataOnDestroy: true } }));
    expectDone(await checkout.npm("deploy"), new RegExp(`^stack "${NAME}" deployed$`));
    const names = resourceNames(NAME);
    const before = await containerState(names.postgres);
    checkout.writeConfig(mainConfig({ database: { enabled: false }, keys: [], logging: undefined }));
    const refused = await checkout.npm("deploy");
    expect(refused.status).toBe(1);
    expect(refused.lastLine).toMatch(/^error: refused: the plan would delete docker_volume\.\S+, the spend database of .*Nothing was changed/);
    expect(await containerState(names.postgres)).toMatchObject(before);
    expect((await objectsOf(loaded())).volumes).toEqual([names.volume]);

    checkout.writeConfig(mainConfig({ database: { image: images.postgres, keepDataOnDestroy: true } }));
    const destroyRefused = await checkout.npm("destroy");
    expect(destroyRefused.status).toBe(1);
    expect(destroyRefused.stderr).toMatch(/database\.keepDataOnDestroy.*is protected: nothing was destroyed/);
    expect((await askMock(loaded(), keyBefore)).status).toBe(200);
  });

  test("npm run destroy (with LITELLM_DELETE_DATA=yes) revokes the keys and leaves no container, network or volume", async () => {
    const config = loaded();
    const destroyed = await checkout.npm("destroy", [], { LITELLM_DELETE_DATA: "yes" });
    expectDone(destroyed, new RegExp(`^stack "${NAME}" destroyed$`));
    expect(destroyed.stdout).toMatch(/deleted key openclaw \(the stack is destroyed\)/);
    expect(await objectsOf(config)).toEqual({ containers: [], networks: [], volumes: [] });
    const again = await checkout.npm("destroy", [], { LITELLM_DELETE_DATA: "yes" });
    expectDone(again, /^nothing to destroy/);
  });
});

// The swarm profile on the single-node swarm `.ci/run` makes; decided at load time (a skip is printed).
const swarmActive = !unavailable && swarmManagerNow();
if (!unavailable && !swarmActive) console.warn("SKIPPED the swarm profile's real path: this engine is not a swarm manager (`.ci/run` runs `docker swarm init`)");
const describeSwarm = swarmActive ? describe : describe.skip;

describeSwarm("npm run deploy with the real providers: the swarm profile", () => {
  const SWARM_NAME = `rs-${runId}`;
  const masterKey = `sk-e2e-swarm-${runId}-0123456789abcdef`;
  const env = { LITELLM_MASTER_KEY: masterKey };
  let swarmCheckout: Checkout;
  let port: number;
  let redisImages: [string, string];
  let liteLLMImages: [string, string];

  const swarmConfig = (litellmImage: string, redisImage: string, extraModels: unknown[] = []) => ({
    name: SWARM_NAME,
    profile: "swarm",
    swarm: { replicas: 2, loadBalancerImage: tagAsPinned("haproxy:3.2.6", localImages()) },
    litellm: { image: litellmImage, port },
    database: { enabled: false },
    redis: { image: redisImage },
    models: [{ preset: "mock" }, ...extraModels],
    router: { numRetries: 0 },
    openclaw: { primary: "mock" },
  });
  const swarmUrl = () => `http://127.0.0.1:${port}`;
  /** 12 requests on fresh connections, so the load balancer's round robin reaches every replica: the distinct statuses and how many replicas answered. */
  const replicasServing = async (model: string) => {
    const statuses = new Set<number>();
    const replicas = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const answer = await chatThrough({ baseUrl: swarmUrl(), key: masterKey, model }, false);
      statuses.add(answer.status);
      if (answer.replica) replicas.add(answer.replica);
    }
    return { statuses: [...statuses], replicas: replicas.size };
  };
  /** Every service, config and secret of the stack (named after it) and its network and volumes (labelled). */
  const swarmObjects = async () => {
    const names = (kind: string) =>
      spawnSync("docker", [kind, "ls", "--filter", `name=${SWARM_NAME}-`, "--format", "{{.Name}}"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    const labelled = await objectsLabelled(`${LABEL_PREFIX}.stack=${SWARM_NAME}`);
    return { services: names("service"), configs: names("config"), secrets: names("secret"), networks: labelled.networks, volumes: labelled.volumes };
  };

  beforeAll(async () => {
    const local = localImages();
    port = await freePort();
    // A LiteLLM "upgrade" and a Redis one: the same images under a second version tag each.
    liteLLMImages = [tagAsPinned(PINNED_LITELLM_IMAGE, local), `${PINNED_LITELLM_IMAGE}-e2e-retag`];
    redisImages = [tagAsPinned("redis:8.2.2", local), "redis:8.2.2-e2e-retag"];
    for (const [from, to] of [liteLLMImages, redisImages]) spawnSync("docker", ["tag", from, to]);
    swarmCheckout = new Checkout("swarm");
    swarmCheckout.writeConfig(swarmConfig(liteLLMImages[0], redisImages[0]));
  });

  afterAll(async () => {
    if (!swarmCheckout) return;
    await swarmCheckout.npm("destroy", [], env, false);
    swarmCheckout.remove();
  });

  test("deploys from nothing; every replica answers through the load balancer; the drift check exits 0", async () => {
    expectDone(await swarmCheckout.npm("deploy", [], env), new RegExp(`^stack "${SWARM_NAME}" deployed$`));
    expect(await replicasServing("mock")).toEqual({ statuses: [200], replicas: 2 });
    const drift = await swarmCheckout.terraform(SWARM_NAME, ["plan", "-detailed-exitcode", "-input=false", "-no-color"], { TF_VAR_LITELLM_MASTER_KEY: masterKey });
    if (drift.status !== 0) process.stdout.write(drift.stdout.slice(-3000));
    expect(drift.status).toBe(0);
  });

  test("a LiteLLM image change under continuous load updates the service in place (no replacement) with 0 failed requests", async () => {
    swarmCheckout.writeConfig(swarmConfig(liteLLMImages[1], redisImages[0], [{ preset: "mock", id: "mock-new", name: "New", mockResponse: "new catalog" }]));
    const load = new ContinuousLoad({ baseUrl: swarmUrl(), key: masterKey, model: "mock" }, 4);
    const deployed = await swarmCheckout.npm("deploy", [], env);
    const report = await load.stop();
    process.stdout.write(`image change under load: ${report.sent} requests, ${report.failed} failed, longest gap ${report.longestGapMs} ms, ${deployed.seconds.toFixed(1)} s\n`);
    expectDone(deployed, new RegExp(`^stack "${SWARM_NAME}" deployed$`));
    expect(deployed.stdout).toMatch(/Plan: \d+ to add, \d+ to change, \d+ to destroy\./);
    expect(deployed.stdout).not.toMatch(/docker_service\.\S+ must be replaced/);
    expect(report.failed).toBe(0);
    const { stdout } = spawnSync("docker", ["service", "inspect", `${SWARM_NAME}-litellm`, "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}"], { encoding: "utf8" });
    expect(stdout.trim()).toBe(liteLLMImages[1]);
    expect(await replicasServing("mock-new")).toEqual({ statuses: [200], replicas: 2 });
  });

  test("a Redis image change and a port change update the services in place; the proxy serves on the new port", async () => {
    port = await freePort();
    swarmCheckout.writeConfig(swarmConfig(liteLLMImages[1], redisImages[1]));
    const deployed = await swarmCheckout.npm("deploy", [], env);
    expectDone(deployed, new RegExp(`^stack "${SWARM_NAME}" deployed$`));
    // Configs are immutable (a changed file is a new config, created first); services and secrets are updated, never replaced.
    expect(deployed.stdout).not.toMatch(/docker_(service|secret)\.\S+ must be replaced/);
    expect(deployed.stdout).toMatch(/Plan: \d+ to add, [1-9]\d* to change, \d+ to destroy\./);
    expect(deployed.stdout).not.toMatch(/docker_service\.\S+: Destroying/);
    await waitFor("the proxy on its new port", 60_000, async () => ((await chatThrough({ baseUrl: swarmUrl(), key: masterKey, model: "mock" }, false)).status === 200 ? true : undefined));
  });

  test("a release whose tasks die at start is rolled back by swarm under load, reported as such, and the state says what runs", async () => {
    const running = swarmConfig(liteLLMImages[1], redisImages[1]);
    // 256 MiB: LiteLLM is killed while it boots, so no new task ever becomes healthy.
    swarmCheckout.writeConfig({ ...running, litellm: { ...(running.litellm as object), memoryLimitMb: 256 } });
    const load = new ContinuousLoad({ baseUrl: swarmUrl(), key: masterKey, model: "mock" }, 4);
    const failed = await swarmCheckout.npm("deploy", [], env);
    const report = await load.stop();
    process.stdout.write(`rolled-back release under load: ${report.sent} requests, ${report.failed} failed, ${failed.seconds.toFixed(1)} s\n`);
    expect(failed.status).toBe(1);
    expect(failed.lastLine).toMatch(/swarm rolled the service back: the previous configuration is still serving/);
    expect(failed.lastLine).toMatch(/the state was refreshed from what the swarm runs$/);
    expect(report.failed).toBe(0);
    const inspect = spawnSync("docker", ["service", "inspect", `${SWARM_NAME}-litellm`, "--format", "{{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}"], { encoding: "utf8" });
    expect(Number(inspect.stdout.trim())).toBe(2048 * 1024 * 1024);
    // The state holds what runs (2 GiB), so the configuration's 256 MiB is still a change to make...
    const drift = await swarmCheckout.terraform(SWARM_NAME, ["plan", "-refresh=false", "-detailed-exitcode", "-input=false", "-no-color"], { TF_VAR_LITELLM_MASTER_KEY: masterKey });
    expect(drift.status).toBe(2);
    // ...and with the configuration back as it was, nothing is.
    swarmCheckout.writeConfig(running);
    expectDone(await swarmCheckout.npm("deploy", [], env), new RegExp(`^stack "${SWARM_NAME}" is up to date: nothing changed$`));
  });

  test("a replicas change (2 -> 3) under load scales the LiteLLM service in place, with 0 failed requests", async () => {
    const running = swarmConfig(liteLLMImages[1], redisImages[1]);
    const serviceId = () => spawnSync("docker", ["service", "inspect", `${SWARM_NAME}-litellm`, "--format", "{{.ID}}"], { encoding: "utf8" }).stdout.trim();
    const before = serviceId();
    swarmCheckout.writeConfig({ ...running, swarm: { ...(running.swarm as object), replicas: 3 } });
    const load = new ContinuousLoad({ baseUrl: swarmUrl(), key: masterKey, model: "mock" }, 4);
    const deployed = await swarmCheckout.npm("deploy", [], env);
    const report = await load.stop();
    process.stdout.write(`replicas 2 -> 3 under load: ${report.sent} requests, ${report.failed} failed, ${deployed.seconds.toFixed(1)} s; ${deployed.stdout.match(/Plan: .*/)?.[0]}\n`);
    expectDone(deployed, new RegExp(`^stack "${SWARM_NAME}" deployed$`));
    expect(deployed.stdout).not.toMatch(/docker_service\.\S+ must be replaced/);
    expect(serviceId()).toBe(before);
    expect(report.failed).toBe(0);
    expect(await replicasServing("mock")).toEqual({ statuses: [200], replicas: 3 });
  });

  test("npm run destroy leaves no service, config, secret, network or volume", async () => {
    expectDone(await swarmCheckout.npm("destroy", [], env), new RegExp(`^stack "${SWARM_NAME}" destroyed$`));
    expect(await swarmObjects()).toEqual({ services: [], configs: [], secrets: [], networks: [], volumes: [] });
  });
});
