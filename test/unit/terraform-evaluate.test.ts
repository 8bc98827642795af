/**
 * Terraform evaluates what we synthesize, and produces byte for byte the text we generated:
 * config.yaml, environment, labels, the OpenClaw snippet, whatever `${`, `%{`, `$${`, quotes,
 * newlines or unicode the configuration holds. Runs Terraform (no provider needed) on every
 * resource body and output of the synthesized stack; see test/support/terraform-evaluate.ts.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { restoredKeyInput } from "../../src/terraform/restored-keys";
import { secretInputsFile, writeSecretInputs } from "../../src/terraform/secret-inputs-file";
import { envList } from "../../src/specs/container-spec";
import { liteLLMSpec, postgresSpec, redisSpec, type StackSecrets } from "../../src/specs/service-specs";
import { renderOpenClawSnippet } from "../../src/generate/openclaw-snippet";
import type { StackConfig } from "../../src/catalog/validate";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { evaluateWithTerraform, terraformAvailable, terraformBinary } from "../support/terraform-evaluate";
import { validConfig } from "./helpers";

if (!terraformAvailable) process.stderr.write(`SKIPPED (Terraform evaluation): no \`${terraformBinary}\` binary on PATH\n`);
const evaluationTest = terraformAvailable ? test : test.skip;

/** Text Terraform would evaluate if it reached a template unescaped. */
const HOSTILE = 'a ${file("/etc/hostname")} b %{ if true }c%{ endif } d $${x} e $$${y} f %%{z} "q" \\ \n ünï 🙂 ${LITELLM_API_KEY}';

const SECRETS: StackSecrets = {
  masterKey: "sk-test-master",
  // URL-hostile, and encoded alike by Terraform's urlencode and encodeURIComponent.
  database: { saltKey: "sk-test-salt", password: "pw/x@y:z%", passwordInUrl: encodeURIComponent("pw/x@y:z%") },
  upstream: { ANTHROPIC_API_KEY: "sk-ant-test", OPENAI_API_KEY: "sk-oai-test" },
};
const VARIABLES = {
  LITELLM_MASTER_KEY: SECRETS.masterKey,
  LITELLM_SALT_KEY: "sk-test-salt",
  LITELLM_DB_PASSWORD: "pw/x@y:z%",
  ...SECRETS.upstream,
};

function hostileConfig(): StackConfig {
  return validConfig({
    models: [
      { preset: "claude-opus-4-6", name: `Claude ${HOSTILE}` },
      { preset: "gpt-4o", apiBase: "https://llm.example/${path}/%{x}" },
      { preset: "mock", mockResponse: HOSTILE },
    ],
    openclaw: { primary: "claude-opus-4-6", baseUrl: "http://proxy.example:4000/${oops}" },
  });
}

function evaluate(config: StackConfig, extraVariables: Record<string, string> = {}) {
  const json = Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: "/tmp/project" }));
  return evaluateWithTerraform(json, (type, name, attribute) => `${type}.${name}.${attribute}`, { ...VARIABLES, ...extraVariables });
}

const containerNamed = (evaluated: ReturnType<typeof evaluate>, name: string) =>
  Object.values(evaluated.resources.docker_container).find((c) => c.name === name);

/** A single nested block: cdktf renders it as an object. */
const healthcheckOf = (container: Record<string, any>) => [container.healthcheck].flat()[0];

describe("Terraform renders exactly the text we generated", () => {
  evaluationTest("LiteLLM: config.yaml, environment, command, labels and healthcheck, with hostile catalog text", () => {
    const config = hostileConfig();
    const spec = liteLLMSpec(config, SECRETS);
    const container = containerNamed(evaluate(config), spec.name);
    expect(container.upload).toEqual([{ file: spec.uploads[0].path, content: spec.uploads[0].content }]);
    expect(spec.uploads[0].content).toContain('${file("/etc/hostname")}'); // the hostile text is really in it
    expect([...container.env].sort()).toEqual(envList(spec.env));
    expect(container.command).toEqual(spec.command);
    expect(healthcheckOf(container).test).toEqual(spec.healthcheck.test);
    expect(Object.fromEntries(container.labels.map((l: { label: string; value: string }) => [l.label, l.value]))).toEqual(spec.labels);
  });

  evaluationTest("Postgres: environment (password as given) and healthcheck", () => {
    const config = hostileConfig();
    const spec = postgresSpec(config, SECRETS);
    const container = containerNamed(evaluate(config), spec.name);
    expect([...container.env].sort()).toEqual(envList(spec.env));
    expect(healthcheckOf(container).test).toEqual(spec.healthcheck.test);
  });

  evaluationTest("Redis (two workers): command, environment and healthcheck, the password never on the command line", () => {
    const config = validConfig({ litellm: { workers: 2 } });
    const secrets = { ...SECRETS, redisPassword: "redis-test-password" };
    const spec = redisSpec(config, secrets);
    const container = containerNamed(evaluate(config, { LITELLM_REDIS_PASSWORD: "redis-test-password" }), spec.name);
    expect(container.command).toEqual(spec.command);
    expect(container.command.join(" ")).not.toContain("redis-test-password");
    expect([...container.env].sort()).toEqual(envList(spec.env));
    expect(healthcheckOf(container).test).toEqual(spec.healthcheck.test);
  });

  evaluationTest("outputs: the OpenClaw snippet keeps ${LITELLM_API_KEY} and every hostile string; the base URL as written", () => {
    const config = hostileConfig();
    const { outputs } = evaluate(config);
    expect(outputs.openclaw_snippet).toBe(renderOpenClawSnippet(config));
    expect(outputs.openclaw_snippet).toContain("apiKey: '${LITELLM_API_KEY}'");
    expect(outputs.base_url).toBe("http://proxy.example:4000/${oops}");
  });

  evaluationTest("the check fails when a string reaches Terraform unescaped", () => {
    const json = JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), "unit", { config: validConfig(), projectDir: "/tmp/p" })));
    json.output.base_url.value = "http://x/${upper(\"evaluated\")}";
    const { outputs } = evaluateWithTerraform(JSON.stringify(json), () => "R", VARIABLES);
    expect(outputs.base_url).toBe("http://x/EVALUATED");
  });
});

describe("each secret: its TF_VAR_*, else the inputs file the synth wrote from its shell, else generated", () => {
  const reference = (type: string, name: string, attribute: string) => `${type}.${name}.${attribute}`;
  const config = validConfig({ keys: [{ alias: "openclaw", maxBudget: 1 }] });
  const envOf = (evaluated: ReturnType<typeof evaluateWithTerraform>) =>
    Object.fromEntries((containerNamed(evaluated, "unit-litellm").env as string[]).map((line) => [line.split("=")[0], line.slice(line.indexOf("=") + 1)]));

  evaluationTest("what cdktf deploy, terraform apply and npm run deploy all read: file, variable over file, generated without either", () => {
    const dir = mkdtempSync(join(tmpdir(), "secret-inputs-"));
    try {
      const file = secretInputsFile(dir, config.name);
      writeSecretInputs(file, { LITELLM_MASTER_KEY: "sk-from-file", ANTHROPIC_API_KEY: "sk-ant-from-file" });
      const json = Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: dir }));

      const fromFile = envOf(evaluateWithTerraform(json, reference));
      expect(fromFile).toMatchObject({ LITELLM_MASTER_KEY: "sk-from-file", ANTHROPIC_API_KEY: "sk-ant-from-file", OPENAI_API_KEY: "" });

      const variableWins = envOf(evaluateWithTerraform(json, reference, { LITELLM_MASTER_KEY: "sk-from-variable" }));
      expect(variableWins).toMatchObject({ LITELLM_MASTER_KEY: "sk-from-variable", ANTHROPIC_API_KEY: "sk-ant-from-file" });

      rmSync(file);
      const generated = evaluateWithTerraform(json, reference);
      expect(envOf(generated).LITELLM_MASTER_KEY).toMatch(/^sk-random_password\.secrets_master_key_[0-9A-F]{8}\.result$/);
      // The keys step is handed the hash LiteLLM keeps of each declared key, never the value itself.
      const step = Object.entries(generated.resources.terraform_data).find(([name]) => name.startsWith("virtual-keys"))?.[1];
      const value = (generated.outputs.virtual_keys as Record<string, string>).openclaw;
      expect(JSON.parse(step?.input.key_hashes)).toEqual({ openclaw: createHash("sha256").update(value).digest("hex") });
      // Hashes only in its input: Terraform prints a destroyed resource's input in the plan, sensitive or not.
      expect(Object.keys(step?.input ?? {})).toEqual(["key_hashes"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  evaluationTest("a key value a restore brought back wins over the generated one, and the keys step is handed its hash", () => {
    const dir = mkdtempSync(join(tmpdir(), "restored-keys-"));
    try {
      writeSecretInputs(secretInputsFile(dir, config.name), { [restoredKeyInput("openclaw")]: "sk-from-the-backup" });
      const json = Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: dir }));
      const evaluated = evaluateWithTerraform(json, reference);
      expect(evaluated.outputs.virtual_keys).toEqual({ openclaw: "sk-from-the-backup" });
      const step = Object.entries(evaluated.resources.terraform_data).find(([name]) => name.startsWith("virtual-keys"))?.[1];
      expect(JSON.parse(step?.input.key_hashes)).toEqual({ openclaw: createHash("sha256").update("sk-from-the-backup").digest("hex") });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
