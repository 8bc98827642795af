/**
 * A new user's first run: the project's own stack.config.yaml (its name and port changed, so that
 * it runs beside the other suites, and one priced mock model added for the budget), deployed with
 * no provider key, then the real OpenClaw pointed at it with the budgeted key the deploy created.
 * OpenClaw's first `openclaw agent` turn must answer. Then the budget, crossed with a plain request
 * to the priced model, and what OpenClaw shows once the key is over it.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { LABEL_PREFIX } from "../../src/specs/service-specs";
import { Checkout, type CommandResult, PROJECT_ROOT, realPathUnavailableReason } from "./harness/checkout";
import { freePort } from "./harness/deployment";
import { assertEngineAnswers, removeLabelled } from "./harness/engine";
import { buildLocalImages, tagAsPinned } from "./harness/images";
import { ensureOpenClaw, freshStateDir, openclaw } from "./harness/openclaw";
import { chat } from "./harness/proxy-client";
import { waitFor } from "./harness/wait";

assertEngineAnswers();
const unavailable = realPathUnavailableReason();
if (unavailable) console.warn(`SKIPPED the first-run suite: ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const NAME = `first-${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const MOCK_TEXT = "Hello from the LiteLLM mock model.";
const PRICED = { preset: "mock", id: "mock-priced", name: "Mock with a price", cost: { input: 100_000, output: 100_000 } };

let checkout: Checkout;
let defaults: Record<string, any>;
let stateDir: string;
let key: string;
let port: number;
let deployed: CommandResult;

/** The project's default configuration, with this run's name and a free port. */
function defaultConfig(): Record<string, any> {
  const config = structuredClone(defaults);
  config.name = NAME;
  config.litellm = { ...config.litellm, port };
  // One model more, for the budget: the mock at $100,000 per million tokens, written in the file.
  config.models = [...config.models, PRICED];
  return config;
}

function expectDeployed(result: CommandResult): void {
  if (result.status !== 0) process.stdout.write(`--- stdout\n${result.stdout.slice(-5000)}\n--- stderr\n${result.stderr.slice(-3000)}\n`);
  expect(result.status).toBe(0);
  expect(result.lastLine).toBe(`stack "${NAME}" deployed`);
}

const agentTurn = (message: string) => openclaw(["agent", "--local", "--message", message, "--json"], stateDir, { LITELLM_API_KEY: key }, 240_000);

beforeAll(async () => {
  if (unavailable) return;
  ensureOpenClaw();
  const local = buildLocalImages();
  defaults = parse(readFileSync(join(PROJECT_ROOT, "stack.config.yaml"), "utf8"));
  // The stand-ins under the names the default configuration pins (as every suite does today).
  tagAsPinned(PINNED_LITELLM_IMAGE, local);
  tagAsPinned(defaults.database.image, local);
  checkout = new Checkout("first-run");
  port = await freePort();
  checkout.writeConfig(defaultConfig());
  stateDir = freshStateDir();
});

afterAll(async () => {
  if (unavailable || !checkout) return;
  await checkout.npm("destroy", [], { LITELLM_DELETE_DATA: "yes" }, false);
  await removeLabelled(`${LABEL_PREFIX}.stack=${NAME}`);
  checkout.remove();
});

describeReal("the first run of a new user: the default configuration, no provider key, the real OpenClaw", () => {
  test("the deploy leaves out the models that cannot answer yet, says so, and makes the mock OpenClaw's primary", async () => {
    // As a user runs it: Terraform's summary, not its whole output (the suites otherwise read the whole).
    deployed = await checkout.npm("deploy", [], { LITELLM_STACK_VERBOSE: "" });
    expectDeployed(deployed);
    expect(deployed.stderr).toContain("warning: ANTHROPIC_API_KEY not set: claude-opus-4-6 is left out of the proxy and the OpenClaw snippet");
    expect(deployed.stderr).toContain("warning: OpenClaw's primary model is mock for now (claude-opus-4-6, the configured one, cannot answer yet)");
    const snippet = readFileSync(join(checkout.dir, "cdktf.out", "stacks", NAME, "openclaw.json5"), "utf8");
    expect(snippet).toContain("primary: 'litellm/mock'");
    expect(snippet).not.toMatch(/claude-opus-4-6|gpt-4o/);
    const got = await checkout.npm("keys", ["get", "openclaw"], {}, false);
    expect(got.status).toBe(0);
    key = got.stdout.trim();
  });

  test("that deploy's output is a summary: each resource's progress, the keys, then where everything is; Terraform's whole output in a log", () => {
    const lines = `${deployed.stdout}${deployed.stderr}`.split("\n").filter(Boolean);
    // ~650 lines with Terraform's whole output; the LiteLLM container's "Still creating" lines vary with the machine.
    expect(lines.filter((line) => !/Still creating/.test(line)).length).toBeLessThan(60);
    expect(deployed.stdout).not.toMatch(/Initializing the backend|# docker_container\.|Terraform will perform the following actions/);
    expect(deployed.stdout).toMatch(/^Plan: 1\d to add, 0 to change, 0 to destroy\.$/m);
    expect(deployed.stdout).toMatch(/^terraform_data\.virtual-keys\S* \(local-exec\): created key openclaw$/m);
    const log = join("cdktf.out", "stacks", NAME, "terraform.log");
    expect(deployed.stdout).toContain(
      [
        `  proxy:      http://localhost:${port}`,
        `  dashboard:  http://localhost:${port}/ui (user admin; password LITELLM_UI_PASSWORD, else the master key: npm run --silent keys -- master-key)`,
        `  OpenClaw:   openclaw config patch --file cdktf.out/stacks/${NAME}/openclaw.json5`,
        '              key=$(npm run --silent keys -- get openclaw) && export LITELLM_API_KEY="$key"',
        `  Terraform's whole output: ${log} (or run with -- --verbose)`,
      ].join("\n"),
    );
    const whole = readFileSync(join(checkout.dir, log), "utf8");
    expect(whole).toMatch(/Terraform will perform the following actions/);
    expect(whole).toMatch(/Apply complete! Resources: 1\d added/);
    expect(statSync(join(checkout.dir, log)).mode & 0o777).toBe(0o600);
  });

  test("OpenClaw, patched with the snippet and given the budgeted key, answers on its first agent turn", () => {
    const patched = openclaw(["config", "patch", "--file", join(checkout.dir, "cdktf.out", "stacks", NAME, "openclaw.json5")], stateDir, { LITELLM_API_KEY: key });
    expect(patched.status).toBe(0);
    const turn = agentTurn("Say hello");
    if (turn.status !== 0) process.stdout.write(`--- openclaw stdout\n${turn.stdout.slice(-3000)}\n--- stderr\n${turn.stderr.slice(-3000)}\n`);
    expect(turn.status).toBe(0);
    const result = JSON.parse(turn.stdout) as { payloads: { text: string }[]; meta: { agentMeta: { provider: string; model: string } } };
    expect(result.payloads.map((p) => p.text)).toEqual([MOCK_TEXT]);
    expect(result.meta.agentMeta).toMatchObject({ provider: "litellm", model: "mock" });
  });

  test("a budget holds: the request that crosses it is served, then LiteLLM refuses with 422, and OpenClaw's turn fails; what it prints", async () => {
    // The default key's $50 a month, crossed by one plain request to the priced mock (a cost the
    // file writes is charged): ~600 tokens at $0.10 each. No redeploy, no agent turn to cross it.
    const crossing = await chat(`http://127.0.0.1:${port}`, key, { model: PRICED.id, messages: [{ role: "user", content: "spend ".repeat(600) }] });
    expect(crossing.status).toBe(200);
    // LiteLLM checks the spend before a request, once its batched write has landed (~20 s).
    const overBudget = await waitFor("LiteLLM to refuse the key over its budget", 120_000, async () => {
      const answer = await chat(`http://127.0.0.1:${port}`, key, { model: "mock", messages: [{ role: "user", content: "hi" }] });
      return answer.status === 200 ? undefined : answer;
    }, 3_000);
    expect(overBudget.status).toBe(422);
    expect(overBudget.body.error.type).toBe("budget_exceeded");
    const refused = agentTurn("Say hello again");
    expect(refused.status).toBe(1);
    // What OpenClaw says on its last line is not about money; the cause is in its log lines.
    expect(JSON.parse(refused.stdout).error.message).toBe("LLM request failed: provider rejected the request schema or tool payload.");
    // OpenClaw redacts the key's alias in some runs (Key=<redacted>): the cause, not the alias, is checked.
    expect(refused.stderr).toMatch(/422 Budget has been exceeded! Key=\S+ .*Max budget: 50/);
  });
});
