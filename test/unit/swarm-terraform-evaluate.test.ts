/**
 * The swarm profile as Terraform evaluates it (no provider needed; see test/support/terraform-evaluate.ts):
 * every service gets exactly the command, environment, healthcheck and files of its ServiceSpec,
 * each secret reaches its `docker_secret` as given (and nowhere else), named by the hash the
 * end-to-end harness computes too.
 */
import { Testing } from "cdktf";
import type { StackSecrets } from "../../src/specs/service-specs";
import { configObjectName, secretObjectNameOf, type ServiceSpec } from "../../src/swarm/service-spec";
import { swarmServiceSpecs } from "../../src/swarm/swarm-specs";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { evaluateWithTerraform, terraformAvailable, terraformBinary } from "../support/terraform-evaluate";
import { validConfig } from "./helpers";

if (!terraformAvailable) process.stderr.write(`SKIPPED (swarm Terraform evaluation): no \`${terraformBinary}\` binary on PATH\n`);
const evaluationTest = terraformAvailable ? test : test.skip;

const HOSTILE = 'a ${file("/etc/hostname")} b %{ if true }c%{ endif } "q" \\ ${LITELLM_API_KEY}';
const SECRETS: StackSecrets = {
  masterKey: "sk-test-master",
  database: { saltKey: "sk-test-salt", password: "pw/x@y:z%", passwordInUrl: encodeURIComponent("pw/x@y:z%") },
  redisPassword: "redis-test-password",
  upstream: { ANTHROPIC_API_KEY: "sk-ant-test", OPENAI_API_KEY: "sk-oai-test" },
};
const VARIABLES = {
  LITELLM_MASTER_KEY: SECRETS.masterKey,
  LITELLM_SALT_KEY: "sk-test-salt",
  LITELLM_DB_PASSWORD: "pw/x@y:z%",
  LITELLM_REDIS_PASSWORD: "redis-test-password",
  ANTHROPIC_API_KEY: "sk-ant-test",
  OPENAI_API_KEY: "sk-oai-test",
};

const config = validConfig({
  profile: "swarm",
  swarm: { replicas: 3, databaseNode: "node-1" },
  models: [{ preset: "claude-opus-4-6", name: `Claude ${HOSTILE}` }, { preset: "gpt-4o" }, { preset: "mock", mockResponse: HOSTILE }],
});
const specs = swarmServiceSpecs(config, SECRETS);
const allSpecs = Object.values(specs).filter((s): s is ServiceSpec => s !== undefined);
const json = Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: "/tmp/project" }));
const evaluated = terraformAvailable
  ? evaluateWithTerraform(json, (type, name, attribute) => `${type}.${name}.${attribute}`, VARIABLES)
  : undefined;

const first = <T>(value: T | T[]): T => [value].flat()[0] as T;
const serviceNamed = (name: string) => Object.values(evaluated!.resources.docker_service).find((s) => s.name === name)!;

describe("the swarm profile as Terraform evaluates it", () => {
  evaluationTest.each(allSpecs.map((spec) => [spec.name, spec] as const))("%s: command, environment, healthcheck, mode", (_name, spec) => {
    const service = serviceNamed(spec.name);
    const container = first(first(service.task_spec).container_spec);
    expect(container.command).toEqual(spec.command);
    expect(container.env ?? {}).toEqual(spec.env);
    expect(first(container.healthcheck).test).toEqual(spec.healthcheck.test);
    expect(first(service.endpoint_spec).mode).toBe("dnsrr");
    if (spec.mode === "global") expect(first(service.mode).global).toBe(true);
    else expect(first(first(service.mode).replicated).replicas).toBe(spec.mode.replicas);
  });

  evaluationTest("files: each docker_config holds the generated text exactly (hostile catalog text included)", () => {
    const configs = Object.values(evaluated!.resources.docker_config);
    for (const spec of allSpecs) {
      for (const file of spec.configs) {
        const object = configs.find((c) => c.name === configObjectName(spec, file));
        expect(Buffer.from(object.data, "base64").toString()).toBe(file.content);
      }
    }
    expect(specs.litellm.configs[0].content).toContain('${file("/etc/hostname")}');
  });

  evaluationTest("secrets: each value reaches its docker_secret, named by its hash, and no service definition", () => {
    const secrets = Object.values(evaluated!.resources.docker_secret);
    for (const spec of allSpecs) {
      for (const secretSpec of spec.secrets) {
        const { value } = secretSpec;
        const name = secretObjectNameOf(spec, secretSpec);
        const secret = secrets.find((s) => s.name === name);
        expect(secret).toBeDefined();
        expect(Buffer.from(secret.data, "base64").toString()).toBe(`${value}\n`);
      }
      const body = JSON.stringify(serviceNamed(spec.name));
      for (const value of Object.values(VARIABLES)) expect(body).not.toContain(value);
    }
    expect(specs.litellm.secrets.map((s) => s.envName)).toEqual(
      expect.arrayContaining(["LITELLM_MASTER_KEY", "DATABASE_URL", "LITELLM_SALT_KEY", "REDIS_PASSWORD", "ANTHROPIC_API_KEY"])
    );
  });

  test("nothing secret in the synthesized JSON: values stay Terraform variables", () => {
    for (const value of Object.values(VARIABLES)) expect(json).not.toContain(value);
  });
});

evaluationTest("long names: Terraform cuts a secret's name exactly where the harness does (the hash is a token at synth time)", () => {
  const long = validConfig({
    name: "a".repeat(40),
    profile: "swarm",
    database: { enabled: false },
    swarm: { replicas: 2 },
    models: [{ preset: "mock" }, { id: "m", name: "M", model: "openai/x", apiKeyEnv: "A_VERY_LONG_PROVIDER_CREDENTIAL_VARIABLE_NAME", contextWindow: 1000, maxTokens: 100 }],
    router: {},
    openclaw: { primary: "mock" },
  });
  const secrets: StackSecrets = { masterKey: "sk-test-master", redisPassword: "redis-test-password", upstream: { A_VERY_LONG_PROVIDER_CREDENTIAL_VARIABLE_NAME: "v-long" } };
  const synthesized = Testing.synth(new LiteLLMStack(Testing.app(), long.name, { config: long, projectDir: "/tmp/project" }));
  const names = Object.values(
    evaluateWithTerraform(synthesized, (type, name, attribute) => `${type}.${name}.${attribute}`, {
      ...VARIABLES,
      A_VERY_LONG_PROVIDER_CREDENTIAL_VARIABLE_NAME: "v-long",
    }).resources.docker_secret,
  ).map((s) => s.name);
  const litellm = swarmServiceSpecs(long, secrets).litellm;
  const expected = litellm.secrets.map((secret) => secretObjectNameOf(litellm, secret));
  expect(expected.some((name) => name.length === 64)).toBe(true);
  expect(names).toEqual(expect.arrayContaining(expected));
});
