/**
 * Terraform itself reads what we synthesize. `terraform init` parses every block and expression
 * before it looks for providers; with an empty local mirror (no network) the only errors left
 * must be the missing providers. This caught a depends_on that CDKTF rendered as an invalid
 * expression. The providers' schemas and `plan` need the registry and are not checked here.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadStackConfig } from "../../src/catalog/load-config";
import { validateStackConfig } from "../../src/catalog/validate";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { configInput, presets } from "./helpers";

const terraform = process.env.TERRAFORM_BINARY_NAME || "terraform";
const available = spawnSync(terraform, ["version"], { encoding: "utf8" }).status === 0;
if (!available) process.stderr.write(`SKIPPED (terraform parse checks): no \`${terraform}\` binary on PATH\n`);
const parseTest = available ? test : test.skip;

function initErrors(stackJson: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "tf-parse-"));
  const mirror = join(dir, "empty-mirror");
  mkdirSync(mirror);
  const cliConfig = join(dir, "cli.tfrc");
  writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["*/*/*"]\n  }\n}\n`);
  const stackDir = join(dir, "stack");
  mkdirSync(stackDir);
  writeFileSync(join(stackDir, "cdk.tf.json"), stackJson);
  const run = spawnSync(terraform, ["init", "-backend=false", "-input=false", "-no-color"], {
    cwd: stackDir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: dir, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1" },
    timeout: 60_000,
  });
  return `${run.stdout}\n${run.stderr}`.split("\n").filter((line) => line.startsWith("Error: "));
}

const synth = (config: ReturnType<typeof validateStackConfig>) =>
  Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config }));

describe("terraform init parses the synthesized stack", () => {
  const onlyMissingProviders = ["Error: Failed to query available provider packages", "Error: Failed to query available provider packages"];

  parseTest("the default stack, keys included", () => {
    expect(initErrors(synth(loadStackConfig(join(__dirname, "../../stack.config.yaml"), presets, {})))).toEqual(onlyMissingProviders);
  });

  parseTest("the shared-proxy example (remote host, s3 state, protected data)", () => {
    const config = loadStackConfig(join(__dirname, "../../examples/shared.config.yaml"), presets, {});
    expect(initErrors(synth(config))).toEqual(onlyMissingProviders);
  });

  parseTest("the swarm example (services, configs, secrets, locals)", () => {
    const config = loadStackConfig(join(__dirname, "../../examples/swarm.config.yaml"), presets, {});
    expect(config.profile).toBe("swarm");
    expect(initErrors(synth(config))).toEqual(onlyMissingProviders);
  });

  parseTest("an experiment without the database", () => {
    const config = validateStackConfig(configInput({ database: { enabled: false } }), presets, "test", { EXPERIMENT: "x" });
    expect(initErrors(synth(config))).toEqual(onlyMissingProviders);
  });

  parseTest("the check fails on an invalid expression", () => {
    const broken = JSON.parse(synth(validateStackConfig(configInput(), presets)));
    broken.output.base_url.depends_on = ["${docker_container.x (litellm/container)}"];
    expect(initErrors(JSON.stringify(broken))).toContain("Error: Invalid expression");
  });
});
