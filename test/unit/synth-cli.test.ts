/**
 * The app as users run it: `main.ts` in a child process, with the environment a deployer has.
 */
import { terraformLiteral } from "../../src/terraform/terraform-literal";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");

/**
 * A throwaway copy of the project (node_modules linked): a synth writes beside the state folder of
 * the checkout it runs from (terraform-state/, with the secrets of its shell), never this one's.
 */
function throwawayCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), "synth-checkout-"));
  for (const entry of ["package.json", "tsconfig.json", "cdktf.json", "main.ts", "stack.config.yaml", "src", "stacks", "templates", "examples"]) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}
const checkout = throwawayCheckout();
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

/** Runs a synth with only the given variables (plus PATH) in its environment. */
function synth(env: Record<string, string>) {
  const outdir = join(mkdtempSync(join(tmpdir(), "synth-")), "cdktf.out");
  const result = spawnSync(tsx, ["main.ts"], {
    cwd: checkout,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("synth", () => {
  const secrets = {
    LITELLM_MASTER_KEY: "sk-fake-master-5f1d2c9e8a7b",
    LITELLM_SALT_KEY: "sk-fake-salt-0c3e7d1a9b2f",
    LITELLM_DB_PASSWORD: "fake-db-password-7e2a9c",
    ANTHROPIC_API_KEY: "sk-ant-fake-3b8d1e6f0a",
    OPENAI_API_KEY: "sk-openai-fake-9c4a2e7d1b",
  };
  const withTfVars = Object.fromEntries(Object.entries(secrets).flatMap(([k, v]) => [[k, v], [`TF_VAR_${k}`, v]]));
  const run = synth(withTfVars);

  test("succeeds on the default configuration; with every key set, its one warning is the free mock model under the budgeted key", () => {
    expect(run.status).toBe(0);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^warning: key "openclaw" has a budget of \$50, but its requests to mock cost nothing and never count against it; /)]);
  });

  test("hands the secrets of its shell to a Terraform run it does not start: owner-only, beside the state of the checkout it runs from", () => {
    const file = join(checkout, "terraform-state", "litellm.secrets.json");
    synth(secrets);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(secrets);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(checkout, "terraform-state")).mode & 0o777).toBe(0o700);
    expect(existsSync(join(root, "terraform-state", "litellm.secrets.json"))).toBe(false);
    // A synth without them removes the file: as with an unset TF_VAR_*, the generated values apply.
    synth({});
    expect(existsSync(file)).toBe(false);
  });

  test("with a remote state, no plaintext copy of the secrets in the checkout (a CI job's workspace)", () => {
    const remote = synth({ ...secrets, GEMINI_API_KEY: "g", LITELLM_STACK_CONFIG: "examples/shared.config.yaml" });
    expect(remote.status).toBe(0);
    expect(existsSync(join(checkout, "terraform-state", "team-litellm.secrets.json"))).toBe(false);
    // (The test before this one shows the same secrets written beside a local state.)
  });

  test("writes config.yaml and the OpenClaw snippet beside cdk.tf.json", () => {
    const stackDir = join(run.outdir, "stacks", "litellm");
    expect(readdirSync(stackDir).sort()).toEqual(["cdk.tf.json", "litellm-config.yaml", "openclaw.json5"]);
    expect(readFileSync(join(stackDir, "litellm-config.yaml"), "utf8")).toContain("master_key: os.environ/LITELLM_MASTER_KEY");
    const snippet = readFileSync(join(stackDir, "openclaw.json5"), "utf8");
    const output = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")).output.openclaw_snippet.value;
    // The output is the snippet as a Terraform template (OpenClaw's ${LITELLM_API_KEY} escaped);
    // test/unit/terraform-evaluate.test.ts has Terraform evaluate it back to exactly the file.
    expect(output).toBe(terraformLiteral(snippet));
    expect(snippet).toContain("apiKey: '${LITELLM_API_KEY}'");
  });

  test("no secret value from the environment lands anywhere under cdktf.out/", () => {
    const files = filesUnder(run.outdir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const [name, value] of Object.entries(secrets)) {
        if (text.includes(value)) throw new Error(`${name}'s value was written to ${file}`);
      }
    }
  });

  test("the scan would catch a leak (the scanned text does hold the variable names)", () => {
    const stackJson = readFileSync(join(run.outdir, "stacks", "litellm", "cdk.tf.json"), "utf8");
    for (const name of Object.keys(secrets)) expect(stackJson).toContain(name);
  });

  test("warns once for each model a credential the deployer has not set leaves out", () => {
    const partial = synth({ ANTHROPIC_API_KEY: "x" });
    expect(partial.status).toBe(0);
    expect(partial.stderr.trim().split("\n")).toEqual([
      "warning: OPENAI_API_KEY not set: gpt-4o is left out of the proxy and the OpenClaw snippet until it is set and the stack redeployed",
      expect.stringMatching(/^warning: key "openclaw" has a budget/),
    ]);
  });

  test("fails on a bad configuration, listing every problem, and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "bad-config-"));
    const file = join(dir, "stack.config.yaml");
    writeFileSync(file, "name: demo\nlitellm:\n  port: 99999\nmodels:\n  - preset: mock\n  - preset: nope\nopenclaw:\n  primary: ghost\n");
    const bad = synth({ LITELLM_STACK_CONFIG: file });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`${file}: 3 problems`);
    expect(bad.stderr).toContain("litellm.port: must be between 1 and 65535");
    expect(bad.stderr).toContain('models[1].preset: unknown preset "nope"');
    expect(bad.stderr).toContain('openclaw.primary: "ghost" is not a model id');
    expect(existsSync(bad.outdir)).toBe(false);
  });

  test("fails clearly when the configuration file does not exist", () => {
    const missing = synth({ LITELLM_STACK_CONFIG: "/nonexistent/stack.yaml" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("/nonexistent/stack.yaml: 1 problem\n  - (file): cannot be read: file not found");
  });
});

describe("scripts/stack.ts", () => {
  test("destroy of a protected shared proxy refuses before anything runs", () => {
    const run = spawnSync(join(root, "node_modules/.bin/tsx"), ["scripts/stack.ts", "destroy"], {
      cwd: root,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        LITELLM_STACK_CONFIG: "examples/shared.config.yaml",
        LITELLM_MASTER_KEY: "sk-team-operator-key",
      },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('database.keepDataOnDestroy: the spend database of "team-litellm" is protected: nothing was destroyed');
    expect(run.stdout).not.toContain("cdktf");
  });

  const stackCli = (args: string[], env: Record<string, string>) =>
    spawnSync(join(root, "node_modules/.bin/tsx"), ["scripts/stack.ts", ...args], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
  const configFile = (name: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "cli-")), "stack.config.yaml");
    writeFileSync(file, `name: ${name}\nmodels:\n  - preset: mock\n`);
    return file;
  };

  test("deploy with no Docker Engine answering stops before anything else, with the message stacks gives", () => {
    const name = `unit-noengine-${process.pid}`;
    const run = stackCli(["deploy"], { LITELLM_STACK_CONFIG: configFile(name), DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: no Docker Engine answers at unix:\/\/\/nonexistent\/docker\.sock \(.+\): start Docker \(or dockerd\), or set DOCKER_HOST \/ docker\.host to the engine to use\. Nothing was changed$/);
    expect(existsSync(join(root, "cdktf.out", "stacks", name))).toBe(false);
    const stacks = stackCli(["stacks"], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(stacks.status).toBe(1);
    expect(stacks.stderr).toMatch(/^error: no Docker Engine answers at unix:\/\/\/nonexistent\/docker\.sock/);
  });

  test("stacks looks at the engine the configuration names (docker.host), as deploy does", () => {
    const file = configFile(`unit-stacks-${process.pid}`);
    writeFileSync(file, `${readFileSync(file, "utf8")}docker:\n  host: unix:///nonexistent/configured.sock\n`);
    const stacks = stackCli(["stacks"], { LITELLM_STACK_CONFIG: file });
    expect(stacks.status).toBe(1);
    expect(stacks.stderr).toMatch(/^error: no Docker Engine answers at unix:\/\/\/nonexistent\/configured\.sock/);
  });

  test("destroy with nothing deployed says so and exits 0, at once", () => {
    const name = `unit-nothing-${process.pid}`;
    const started = Date.now();
    const run = stackCli(["destroy"], { LITELLM_STACK_CONFIG: configFile(name) });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`nothing to destroy: stack "${name}" has no resources in its state (${join(root, "terraform-state", `${name}.tfstate`)})`);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test("an unknown command prints the usage and exits 2", () => {
    const run = spawnSync(join(root, "node_modules/.bin/tsx"), ["scripts/stack.ts", "dance"], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("usage: stack.js deploy|destroy|drift [-migrate-state|-force-copy|-reconfigure|-upgrade] [--verbose] | stacks [--json]");
  });
});
