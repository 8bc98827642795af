/**
 * Deploy and destroy sequences a user runs from one checkout, with the real Terraform and the real
 * lifecycle (src/lifecycle/stack-lifecycle.ts): a stand-in stack of `terraform_data` resources
 * (test/fixtures/state-app.ts) that uses the stack's own configuration loading, state backend and
 * data-protection marker, since the Docker provider cannot be installed here.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateStackConfig } from "../../src/catalog/validate";
import { loadPresets } from "../../src/catalog/presets";
import { PhaseTimer } from "../../src/lifecycle/phase-timer";
import { deployStack, destroyStack, type LifecycleOptions } from "../../src/lifecycle/stack-lifecycle";
import { terraformAvailable, terraformBinary } from "../support/terraform-evaluate";
import { parse } from "yaml";

if (!terraformAvailable) process.stderr.write(`SKIPPED (lifecycle with Terraform): no \`${terraformBinary}\` binary on PATH\n`);
const lifecycleTest = terraformAvailable ? test : test.skip;
jest.setTimeout(120_000);

const root = join(__dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const fixture = join(root, "test", "fixtures", "state-app.ts");
const presets = loadPresets();

function project(configYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lifecycle-"));
  writeFileSync(join(dir, "stack.config.yaml"), configYaml);
  return dir;
}

function options(projectDir: string, env: NodeJS.ProcessEnv = {}, dataDeletionAllowed = false): LifecycleOptions {
  const raw = parse(readFileSync(join(projectDir, "stack.config.yaml"), "utf8"));
  const config = validateStackConfig(raw, presets, "test", env);
  const fullEnv = { PATH: process.env.PATH ?? "", HOME: projectDir, CHECKPOINT_DISABLE: "1", ...env };
  return {
    config,
    projectDir,
    env: fullEnv,
    synth: () =>
      new Promise((resolve) => {
        const child = spawn(tsx, [fixture], { cwd: projectDir, env: fullEnv, stdio: "ignore" });
        child.on("close", (code) => resolve(code ?? 1));
      }),
    dataDeletionAllowed,
    echo: false,
    log: () => undefined,
  };
}

const hashOf = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const resourcesIn = (file: string) => (JSON.parse(readFileSync(file, "utf8")).resources as { type: string; name: string }[]).map((r) => `${r.type}.${r.name}`).sort();
const BASE = "name: seq\nmodels:\n  - preset: mock\n";

describe("[real Terraform, terraform_data stand-in] state is never lost or shared", () => {
  lifecycleTest("deploy, then an experiment deployed, synthesized by cdktf and destroyed, then cdktf.out removed: the first state is untouched", async () => {
    const dir = project(BASE);
    expect(await deployStack(options(dir))).toMatchObject({ code: 0, summary: 'stack "seq" deployed' });
    const mainState = join(dir, "terraform-state", "seq.tfstate");
    const before = hashOf(mainState);
    expect(statSync(mainState).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "terraform-state")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "outputs.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "outputs.json"), "utf8"))).toEqual({ seq: { base_url: "http://localhost:4000" } });

    const experiment = { EXPERIMENT: "try1" };
    expect((await deployStack(options(dir, experiment))).code).toBe(0);
    expect(existsSync(join(dir, "terraform-state", "seq-exp-try1.tfstate"))).toBe(true);
    // cdktf's own CLI deletes every stack folder its synth did not produce: state must not be there.
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: `${tsx} ${fixture}` }));
    const cdktfSynth = spawnSync(join(root, "node_modules", ".bin", "cdktf"), ["synth"], { cwd: dir, env: { ...options(dir).env, ...experiment }, encoding: "utf8", timeout: 90_000 });
    expect(cdktfSynth.status).toBe(0);
    expect(existsSync(join(dir, "cdktf.out", "stacks", "seq"))).toBe(false);
    expect((await destroyStack(options(dir, experiment))).summary).toBe('stack "seq-exp-try1" destroyed');
    rmSync(join(dir, "cdktf.out"), { recursive: true, force: true });

    expect(hashOf(mainState)).toBe(before);
    // And a redeploy from scratch finds everything in place: nothing to change.
    expect(await deployStack(options(dir))).toMatchObject({ code: 0, summary: 'stack "seq" is up to date: nothing changed' });
    expect(hashOf(mainState)).toBe(before);
  });

  lifecycleTest("a deploy hands over the outputs its state held before, so the keys it retires can be revoked", async () => {
    const dir = project(`${BASE}keys:\n  - alias: openclaw\n    maxBudget: 1\n`);
    expect((await deployStack(options(dir))).priorOutputs).toEqual({});
    writeFileSync(join(dir, "stack.config.yaml"), BASE);
    const second = await deployStack(options(dir));
    expect(second.priorOutputs?.virtual_keys).toEqual({ openclaw: "sk-fixture-openclaw-value" });
    expect(JSON.parse(readFileSync(join(dir, "terraform-state", "seq.tfstate"), "utf8")).outputs.virtual_keys).toBeUndefined();
  });

  lifecycleTest("a deploy from nothing skips what an empty state cannot need (its outputs, the plan as JSON); the next deploy runs both", async () => {
    const dir = project(BASE);
    const first = new PhaseTimer();
    expect((await deployStack({ ...options(dir), phases: first })).code).toBe(0);
    expect(Object.keys(first.totals)).toEqual(["synth", "terraform init", "plan", "apply (until healthy)", "outputs"]);
    writeFileSync(join(dir, "stack.config.yaml"), `${BASE}database:\n  keepDataOnDestroy: true\n`);
    const second = new PhaseTimer();
    expect((await deployStack({ ...options(dir), phases: second })).code).toBe(0);
    expect(Object.keys(second.totals)).toEqual(["synth", "terraform init", "outputs", "plan", "plan as JSON", "apply (until healthy)"]);
  });

  lifecycleTest("explicit backend paths get one state per experiment", async () => {
    const dir = project(`${BASE}backend:\n  type: local\n  path: state/team.tfstate\n`);
    expect((await deployStack(options(dir))).code).toBe(0);
    expect((await deployStack(options(dir, { EXPERIMENT: "b" }))).code).toBe(0);
    expect(resourcesIn(join(dir, "state", "team.tfstate"))).toEqual(["terraform_data.litellm", "terraform_data.postgres-data"]);
    expect(resourcesIn(join(dir, "state", "team.exp-b.tfstate"))).toEqual(["terraform_data.litellm", "terraform_data.postgres-data"]);
  });

  lifecycleTest("a state an earlier version left in cdktf.out/ is moved before anything runs, never replaced by a fresh one", async () => {
    const dir = project(BASE);
    expect((await deployStack(options(dir))).code).toBe(0);
    const state = join(dir, "terraform-state", "seq.tfstate");
    const legacy = join(dir, "cdktf.out", "stacks", "seq", "terraform.seq.tfstate");
    writeFileSync(legacy, readFileSync(state));
    chmodSync(legacy, 0o644);
    rmSync(state);
    const moved: string[] = [];
    expect((await deployStack({ ...options(dir), log: (line) => moved.push(line) })).summary).toBe('stack "seq" is up to date: nothing changed');
    expect(moved).toEqual([`moved the state of stack "seq" out of cdktf.out/ (which cdktf regenerates) to ${state}`]);
    expect(statSync(state).mode & 0o777).toBe(0o600);

    writeFileSync(legacy, "{}");
    await expect(deployStack(options(dir))).rejects.toThrow(/stack "seq" has two different states\. Nothing was changed\. .*`terraform show` on each\) at \S+seq\.tfstate and delete the other/);
    // The refusal names the program the user runs.
    await expect(deployStack(options(dir, { TERRAFORM_BINARY_NAME: "tofu" }))).rejects.toThrow(/`tofu show` on each/);
  });
});

describe("[real Terraform, terraform_data stand-in] protected data", () => {
  const PROTECTED = `${BASE}database:\n  keepDataOnDestroy: true\n`;

  lifecycleTest("database.enabled: false over a protected volume is refused before anything changes, naming the switch", async () => {
    const dir = project(PROTECTED);
    expect((await deployStack(options(dir))).code).toBe(0);
    const state = join(dir, "terraform-state", "seq.tfstate");
    const before = hashOf(state);
    writeFileSync(join(dir, "stack.config.yaml"), `${BASE}database:\n  enabled: false\n  keepDataOnDestroy: false\n`);
    const refused = await deployStack(options(dir));
    expect(refused.code).toBe(1);
    expect(refused.summary).toMatch(/^refused: the plan would delete terraform_data\.postgres-data, the spend database of "seq", which its state protects \(database\.keepDataOnDestroy\)\. Nothing was changed\. .*LITELLM_DELETE_DATA=yes$/);
    expect(hashOf(state)).toBe(before);
    expect(existsSync(join(dir, "cdktf.out", "stacks", "seq", "stack.tfplan"))).toBe(false);

    expect((await deployStack(options(dir, {}, true))).code).toBe(0);
    expect(resourcesIn(state)).toEqual(["terraform_data.litellm"]);
  });

  lifecycleTest("destroy of a protected stack is refused by the plan guard; with the switch it goes, and a second destroy has nothing to do", async () => {
    const dir = project(PROTECTED);
    expect((await deployStack(options(dir))).code).toBe(0);
    // The configuration no longer protects anything, but the state does.
    writeFileSync(join(dir, "stack.config.yaml"), BASE);
    let keysDeleted = false;
    const refused = await destroyStack(options(dir), async () => void (keysDeleted = true));
    expect(refused.summary).toMatch(/^refused: the plan would delete terraform_data\.postgres-data/);
    expect(keysDeleted).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "outputs.json"), "utf8"))).toHaveProperty("seq");
    expect((await destroyStack(options(dir, {}, true), async () => void (keysDeleted = true))).code).toBe(0);
    expect(keysDeleted).toBe(true);
    // The destroyed stack's URL is no output any more: the file held only its outputs, and is gone.
    expect(existsSync(join(dir, "outputs.json"))).toBe(false);
    expect(await destroyStack(options(dir))).toEqual({
      code: 0,
      summary: `nothing to destroy: stack "seq" has no resources in its state (${join(dir, "terraform-state", "seq.tfstate")})`,
    });
  });
});
