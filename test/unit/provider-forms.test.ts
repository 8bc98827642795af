/**
 * What kreuzwerker/docker 3.6.2 sends and reads back (from its source,
 * internal/provider/resource_docker_container_funcs.go): durations are read back as Go's
 * time.Duration.String(), memory_swap as MemorySwap/1MiB (Docker's default is twice the memory),
 * and a non-zero start_interval makes its client refuse engines below API 1.44. A synthesized value
 * in another form is a change at every plan.
 */
import { Testing } from "cdktf";
import { goDuration } from "../../src/terraform/terraform-literal";
import { supportsStartInterval } from "../../src/specs/service-specs";
import { validateStackConfig } from "../../src/catalog/validate";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { configInput, presets } from "./helpers";

type Json = Record<string, any>;
const synth = (env: NodeJS.ProcessEnv = {}, overrides: Record<string, unknown> = {}): Json => {
  const config = validateStackConfig(configInput(overrides), presets, "test", env);
  return JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: "/p" })));
};
const containers = (json: Json) => Object.values(json.resource.docker_container) as Json[];

describe("values in the form the provider reads back", () => {
  test.each([
    // Printed by Go 1.26: (time.Duration(s) * time.Second).String()
    [0, "0s"], [1, "1s"], [3, "3s"], [59, "59s"], [60, "1m0s"], [61, "1m1s"], [90, "1m30s"], [300, "5m0s"], [3599, "59m59s"], [3600, "1h0m0s"], [3661, "1h1m1s"],
  ])("goDuration(%i) is Go's %s", (seconds, expected) => {
    expect(goDuration(seconds)).toBe(expected);
  });

  test("every healthcheck duration of every container is in Go's form", () => {
    for (const container of containers(synth())) {
      for (const field of ["interval", "timeout", "start_period", "start_interval"]) {
        const value = container.healthcheck[field] as string;
        const seconds = Number(/^(?:(\d+)m)?(\d+)s$/.exec(value)?.slice(1).reduce((total, part, i) => total + Number(part ?? 0) * (i === 0 ? 60 : 1), 0));
        expect(goDuration(seconds)).toBe(value);
      }
    }
  });

  test("memory_swap equals memory wherever memory is limited: a hard limit, read back unchanged", () => {
    const limited = containers(synth()).filter((c) => c.memory !== undefined);
    expect(limited.length).toBeGreaterThan(0);
    for (const container of limited) expect(container.memory_swap).toBe(container.memory);
  });
});

describe("the healthcheck start interval follows the engine", () => {
  test.each([
    [undefined, false], ["1.41", false], ["1.43", false], ["1.44", true], ["1.47", true],
  ])("API %s: start interval %s", (version, expected) => {
    expect(supportsStartInterval(version)).toBe(expected);
  });

  test("an engine below API 1.44 (or an unknown one) gets no start interval: the provider would refuse to create", () => {
    for (const env of [{}, { LITELLM_STACK_ENGINE_API_VERSION: "1.41" }]) {
      for (const container of containers(synth(env))) expect(container.healthcheck.start_interval).toBe("0s");
    }
  });

  test("Engine 25+ keeps the 1 s start-up probe the benchmark chose", () => {
    for (const container of containers(synth({ LITELLM_STACK_ENGINE_API_VERSION: "1.47" }))) {
      expect(container.healthcheck.start_interval).toBe("1s");
    }
  });

  test("fails on a malformed engine API version, naming the variable", () => {
    expect(() => synth({ LITELLM_STACK_ENGINE_API_VERSION: "v25" })).toThrow(/LITELLM_STACK_ENGINE_API_VERSION \(environment\): "v25" must be a Docker Engine API version/);
  });
});

describe("secrets only where they are used", () => {
  test("without the database: no database password, no salt key, neither variable nor generated", () => {
    const json = synth({}, { database: { enabled: false } });
    expect(Object.keys(json.variable)).not.toEqual(expect.arrayContaining(["LITELLM_DB_PASSWORD"]));
    expect(Object.keys(json.variable)).not.toContain("LITELLM_SALT_KEY");
    expect(Object.keys(json.resource.random_password)).toEqual([expect.stringMatching(/master_key/)]);
    const env = containers(json)[0].env as string[];
    expect(env.some((e) => e.startsWith("LITELLM_SALT_KEY=") || e.startsWith("DATABASE_URL="))).toBe(false);
  });

  test("with the database: both, generated unless set", () => {
    const json = synth();
    expect(Object.keys(json.variable)).toEqual(expect.arrayContaining(["LITELLM_DB_PASSWORD", "LITELLM_SALT_KEY"]));
    expect(Object.keys(json.resource.random_password).length).toBe(3);
  });
});
