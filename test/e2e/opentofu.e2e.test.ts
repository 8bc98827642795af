/**
 * OpenTofu for real: the user's commands with `TERRAFORM_BINARY_NAME` naming the real tofu (from
 * ../shared/opentofu), the real providers from a mirror that serves both registries, and LiteLLM
 * with its database. One stack through the real-path sequence (deploy from nothing, nothing to
 * change, a catalog change, drift 0 and 2, keys, destroy), then a stack deployed by Terraform and
 * taken over by tofu with no change planned, and tofu's own failure named as tofu's.
 */
import { stringify } from "yaml";
import { writeFileSync } from "node:fs";
import { loadStackConfig } from "../../src/catalog/load-config";
import { loadPresets } from "../../src/catalog/presets";
import type { StackConfig } from "../../src/catalog/validate";
import { LABEL_PREFIX, resourceNames } from "../../src/specs/service-specs";
import { Checkout, type CommandResult, realPathUnavailableReason } from "./harness/checkout";
import { freePort } from "./harness/deployment";
import { assertEngineAnswers, docker, objectsLabelled, removeLabelled } from "./harness/engine";
import { buildLocalImages, imageId } from "./harness/images";
import { installOpenTofu, type OpenTofu, openTofuUnavailableReason } from "./harness/opentofu";
import { chat } from "./harness/proxy-client";

assertEngineAnswers();
const unavailable = realPathUnavailableReason() ?? openTofuUnavailableReason();
if (unavailable) console.warn(`SKIPPED the OpenTofu suite: ${unavailable}`);
const describeTofu = unavailable ? describe.skip : describe;

const MOCK_TEXT = "Hello from the LiteLLM mock model.";
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const NAME = `tofu-${runId}`;
const TAKEN_OVER = `tfto-${runId}`;

let tofu: OpenTofu;
let checkout: Checkout;
let images: { litellm: string; postgres: string };
let port: number;

function stackConfig(name: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    litellm: { image: images.litellm, bindAddress: "127.0.0.1", port },
    database: { image: images.postgres },
    models: [{ preset: "mock" }],
    router: { numRetries: 0 },
    openclaw: { primary: "mock" },
    keys: [{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }],
    ...changes,
  };
}

/** The environment a user sets to run tofu: the variable the README names, and the two-registry mirror. */
const withTofu = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ TERRAFORM_BINARY_NAME: tofu.binary, ...extra });

const loaded = (file = checkout.configFile): StackConfig => loadStackConfig(file, loadPresets(), {});
const baseUrl = (config: StackConfig) => `http://127.0.0.1:${config.litellm.port}`;
const ask = (config: StackConfig, key: string, model = "mock") => chat(baseUrl(config), key, { model, messages: [{ role: "user", content: "hi" }] });

function expectDone(result: CommandResult, summary: RegExp): void {
  if (result.status !== 0) process.stdout.write(`--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}\n`);
  expect(result.status).toBe(0);
  expect(result.lastLine).toMatch(summary);
}

async function keyValue(alias: string): Promise<string> {
  const result = await checkout.npm("keys", ["get", alias], withTofu(), false);
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

const containerId = async (name: string) => (await docker.getContainer(name).inspect()).Id;

beforeAll(async () => {
  if (unavailable) return;
  tofu = installOpenTofu();
  const local = buildLocalImages();
  // By image id, as on an offline machine: no name a user's deploy resolves is borrowed.
  images = { litellm: imageId(local.litellm), postgres: imageId(local.postgres) };
  // Not the default 4000: the real-path suite may be running beside this one.
  port = await freePort();
  checkout = new Checkout("opentofu", tofu.cliConfig);
  checkout.writeConfig(stackConfig(NAME));
});

afterAll(async () => {
  if (unavailable || !checkout) return;
  for (const [name, file] of [[NAME, checkout.configFile], [TAKEN_OVER, `${checkout.dir}/taken-over.config.yaml`]]) {
    await checkout.npm("destroy", [], withTofu({ LITELLM_DELETE_DATA: "yes", LITELLM_STACK_CONFIG: file }), false);
    await removeLabelled(`${LABEL_PREFIX}.stack=${name}`);
  }
  checkout.remove();
});

describeTofu("npm run deploy with TERRAFORM_BINARY_NAME=tofu: the container profile with its database", () => {
  let key: string;
  let postgresId: string;

  test("deploys from nothing with tofu; the state names OpenTofu's registry; the mock model answers with the stack's key", async () => {
    expectDone(await checkout.npm("deploy", [], withTofu()), new RegExp(`^stack "${NAME}" deployed$`));
    const state = JSON.parse(checkout.stateBytes(loaded())?.toString("utf8") ?? "{}") as { terraform_version: string; resources: { provider: string }[] };
    expect(state.terraform_version).toBe("1.12.6");
    expect(state.resources.map((r) => r.provider)).toContain('provider["registry.opentofu.org/kreuzwerker/docker"]');
    key = await keyValue("openclaw");
    const answer = await ask(loaded(), key);
    expect(answer.status).toBe(200);
    expect(answer.body.choices[0].message.content).toBe(MOCK_TEXT);
    postgresId = await containerId(resourceNames(NAME).postgres);
  });

  test("a second deploy with tofu has nothing to change", async () => {
    expectDone(await checkout.npm("deploy", [], withTofu()), new RegExp(`^stack "${NAME}" is up to date: nothing changed$`));
  });

  test("a catalog change replaces only LiteLLM; the key and the database stay", async () => {
    checkout.writeConfig(stackConfig(NAME, { models: [{ preset: "mock" }, { preset: "mock", id: "mock-2", name: "Mock 2", mockResponse: "Second mock." }] }));
    const changed = await checkout.npm("deploy", [], withTofu());
    expectDone(changed, new RegExp(`^stack "${NAME}" deployed$`));
    expect(changed.stdout).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy\./);
    expect(await containerId(resourceNames(NAME).postgres)).toBe(postgresId);
    expect(await keyValue("openclaw")).toBe(key);
    const answer = await ask(loaded(), key, "mock-2");
    expect(answer.body.choices?.[0]?.message?.content).toBe("Second mock.");
  });

  test("npm run drift with tofu: 0 on the settled stack, 2 naming the container removed by hand", async () => {
    expectDone(await checkout.npm("drift", [], withTofu()), new RegExp(`^no drift: stack "${NAME}" matches its configuration$`));
    await docker.getContainer(resourceNames(NAME).litellm).remove({ force: true });
    const drifted = await checkout.npm("drift", [], withTofu());
    expect(drifted.status).toBe(2);
    expect(drifted.lastLine).toMatch(/^drift: stack ".*" differs from its configuration: docker_container\.\S*litellm\S* \(create\)/);
    expectDone(await checkout.npm("deploy", [], withTofu()), new RegExp(`^stack "${NAME}" deployed$`));
  });

  test("keys with tofu: a dropped key is revoked by keys reconcile, and declared again before any deploy it is a new one", async () => {
    checkout.writeConfig(stackConfig(NAME, { keys: [] }));
    const reconciled = await checkout.npm("keys", ["reconcile"], withTofu());
    expect(reconciled.status).toBe(0);
    expect(reconciled.stdout).toMatch(/deleted key openclaw \(no longer in the configuration\)/);
    expect((await ask(loaded(), key)).status).toBe(401);
    // Declared again before a deploy dropped it from the state, which still holds the revoked value:
    // the deploy must draw a new one, never bring the revoked one back.
    checkout.writeConfig(stackConfig(NAME));
    const redeployed = await checkout.npm("deploy", [], withTofu());
    expectDone(redeployed, new RegExp(`^stack "${NAME}" deployed$`));
    expect(redeployed.stdout).toMatch(/created key openclaw/);
    const fresh = await keyValue("openclaw");
    expect(fresh).not.toBe(key);
    expect((await ask(loaded(), fresh)).status).toBe(200);
    expect((await ask(loaded(), key)).status).toBe(401);
  });

  test("destroy with tofu revokes the keys and leaves no container, network or volume", async () => {
    const config = loaded();
    const destroyed = await checkout.npm("destroy", [], withTofu({ LITELLM_DELETE_DATA: "yes" }));
    expectDone(destroyed, new RegExp(`^stack "${NAME}" destroyed$`));
    expect(destroyed.stdout).toMatch(/deleted key openclaw \(the stack is destroyed\)/);
    expect(await objectsLabelled(`${LABEL_PREFIX}.stack=${config.name}`)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

describeTofu("from Terraform to OpenTofu, in one checkout", () => {
  test("a stack deployed by Terraform is taken over by tofu with no change planned, and tofu destroys it", async () => {
    const file = `${checkout.dir}/taken-over.config.yaml`;
    // Without its database: what is proven here is the state's hand-over, not LiteLLM's migrations.
    writeFileSync(file, stringify(stackConfig(TAKEN_OVER, { database: { enabled: false }, keys: [] })));
    const env = { LITELLM_STACK_CONFIG: file };
    expectDone(await checkout.npm("deploy", [], { ...env, TERRAFORM_BINARY_NAME: "terraform" }), new RegExp(`^stack "${TAKEN_OVER}" deployed$`));
    const config = loaded(file);
    const litellmId = await containerId(resourceNames(TAKEN_OVER).litellm);
    expect(checkout.stateBytes(config)?.toString("utf8")).toContain("registry.terraform.io/kreuzwerker/docker");

    expectDone(await checkout.npm("drift", [], withTofu(env)), new RegExp(`^no drift: stack "${TAKEN_OVER}" matches its configuration$`));
    expectDone(await checkout.npm("deploy", [], withTofu(env)), new RegExp(`^stack "${TAKEN_OVER}" is up to date: nothing changed$`));
    expect(await containerId(resourceNames(TAKEN_OVER).litellm)).toBe(litellmId);
    expectDone(await checkout.npm("destroy", [], withTofu(env)), new RegExp(`^stack "${TAKEN_OVER}" destroyed$`));
    expect(await objectsLabelled(`${LABEL_PREFIX}.stack=${TAKEN_OVER}`)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("tofu with a mirror laid out for Terraform alone: the last line names tofu, OpenTofu's registry and the fix; nothing is created", async () => {
    const file = `${checkout.dir}/taken-over.config.yaml`;
    const terraformOnly = new Checkout("opentofu-tf-mirror");
    try {
      const failed = await terraformOnly.npm("deploy", [], withTofu({ LITELLM_STACK_CONFIG: file }));
      expect(failed.status).toBe(1);
      expect(failed.lastLine).toMatch(
        /tofu init failed: OpenTofu could not download its providers \(kreuzwerker\/docker, hashicorp\/random\): registry\.opentofu\.org is not reachable\. Next: .*`.*tofu providers mirror DIR`/,
      );
      expect(await objectsLabelled(`${LABEL_PREFIX}.stack=${TAKEN_OVER}`)).toEqual({ containers: [], networks: [], volumes: [] });
    } finally {
      terraformOnly.remove();
    }
  });
});
