import "cdktf/lib/testing/adapters/jest";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Network } from "@cdktf/provider-docker/lib/network";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Password } from "@cdktf/provider-random/lib/password";
import { Testing } from "cdktf";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { envList } from "../../src/specs/container-spec";
import { liteLLMSpec, type StackSecrets } from "../../src/specs/service-specs";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { configInput, problemsOf, validConfig } from "./helpers";

type Json = Record<string, any>;

function synth(overrides: Record<string, unknown> = {}): Json {
  const app = Testing.app();
  const config = validConfig(overrides);
  return JSON.parse(Testing.synth(new LiteLLMStack(app, config.name, { config })));
}

const containers = (json: Json) => Object.values(json.resource.docker_container) as Json[];
const containerNamed = (json: Json, name: string) => containers(json).find((c) => c.name === name) as Json;

describe("LiteLLMStack", () => {
  const json = synth();
  const synthesized = JSON.stringify(json);

  test("creates a private bridge network, a data volume and both containers, all labelled", () => {
    expect(synthesized).toHaveResourceWithProperties(Network, { name: "unit-net", driver: "bridge" });
    expect(synthesized).toHaveResourceWithProperties(Volume, { name: "unit-pgdata" });
    expect(containers(json).map((c) => c.name).sort()).toEqual(["unit-litellm", "unit-postgres"]);
    for (const resource of [...containers(json), ...Object.values(json.resource.docker_network), ...Object.values(json.resource.docker_volume)] as Json[]) {
      expect(resource.labels).toEqual(expect.arrayContaining([{ label: "io.litellm-stack.stack", value: "unit" }]));
    }
  });

  test("pins the images and keeps them on destroy", () => {
    expect(synthesized).toHaveResourceWithProperties(Image, { name: PINNED_LITELLM_IMAGE, keep_locally: true });
    expect(synthesized).toHaveResourceWithProperties(Image, { name: "postgres:16.10", keep_locally: true });
  });

  test("runs Postgres on the volume, unpublished, healthy before LiteLLM starts", () => {
    const postgres = containerNamed(json, "unit-postgres");
    expect(postgres).toMatchObject({
      wait: true,
      restart: "unless-stopped",
      destroy_grace_seconds: 30,
      volumes: [{ container_path: "/var/lib/postgresql/data", volume_name: "${docker_volume.postgres-data.name}" }],
      networks_advanced: [{ name: "${docker_network.network.name}", aliases: ["postgres"] }],
      healthcheck: { test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "litellm", "-d", "litellm"] },
    });
    expect(postgres.ports ?? []).toEqual([]);
    const litellm = containerNamed(json, "unit-litellm");
    // And after the resource that cleans the local files up on destroy (which every resource follows).
    expect(litellm.depends_on).toEqual([expect.stringMatching(/^docker_container\.postgres_container/), expect.stringMatching(/^terraform_data\.local-files/)]);
  });

  test("litellm.startTimeoutSeconds is how long the deploy waits for LiteLLM; out of range is refused with the field", () => {
    const slow = validConfig({ litellm: { startTimeoutSeconds: 900 } });
    const synthesized = JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), slow.name, { config: slow })));
    expect(containerNamed(synthesized, "unit-litellm").wait_timeout).toBe(900);
    expect(problemsOf(configInput({ litellm: { startTimeoutSeconds: 5 } }))).toEqual(["litellm.startTimeoutSeconds: must be at least 30"]);
  });

  test("runs LiteLLM with the generated config, a liveliness healthcheck and the port on loopback", () => {
    const litellm = containerNamed(json, "unit-litellm");
    expect(litellm).toMatchObject({
      command: ["--config", "/app/config.yaml", "--port", "4000", "--num_workers", "1"],
      ports: [{ internal: 4000, external: 4000, ip: "127.0.0.1" }],
      wait: true,
      wait_timeout: 300,
      restart: "unless-stopped",
      memory: 2048,
      // A hard limit: no swap beyond memory (Docker's default is as much swap again).
      memory_swap: 2048,
      upload: [{ file: "/app/config.yaml", content: expect.stringContaining("model_name: claude-opus-4-6") }],
      // Go's duration form, as kreuzwerker/docker reads it back; no start interval on an unknown engine.
      healthcheck: { start_period: "1m0s", interval: "3s", start_interval: "0s", test: expect.arrayContaining([expect.stringContaining("/health/liveliness")]) },
    });
    expect(litellm.env).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL=postgresql:\/\/litellm:\$\{urlencode\(.*\)\}@postgres:5432\/litellm$/),
        // Each secret: its variable, else the synth's inputs file, else generated (values: terraform-evaluate.test.ts).
        expect.stringMatching(/^LITELLM_MASTER_KEY=\$\{coalesce\(local\.secrets_input_LITELLM_MASTER_KEY_[0-9A-F]{8}, local\.secrets_master_key_generated_/),
        expect.stringMatching(/^LITELLM_SALT_KEY=\$\{coalesce\(local\.secrets_input_LITELLM_SALT_KEY_[0-9A-F]{8}, /),
        expect.stringMatching(/^ANTHROPIC_API_KEY=\$\{local\.secrets_input_ANTHROPIC_API_KEY_[0-9A-F]{8}\}$/),
        expect.stringMatching(/^OPENAI_API_KEY=\$\{local\.secrets_input_OPENAI_API_KEY_[0-9A-F]{8}\}$/),
      ]),
    );
  });

  test("renders exactly the service spec the end-to-end suite runs", () => {
    // Same function, placeholder secrets: everything but the secret values and the image id must match.
    const secrets: StackSecrets = { masterKey: "M", database: { saltKey: "S", password: "P", passwordInUrl: "P" }, upstream: {} };
    const spec = liteLLMSpec(validConfig(), secrets);
    const litellm = containerNamed(json, "unit-litellm");
    expect(litellm.command).toEqual(spec.command);
    expect(litellm.upload[0].content).toBe(spec.uploads[0].content);
    expect(litellm.healthcheck.test).toEqual(spec.healthcheck.test);
    expect(litellm.labels).toEqual(Object.entries(spec.labels).map(([label, value]) => ({ label, value })));
    const names = (env: string[]) => env.map((e) => e.split("=")[0]);
    expect(names(litellm.env)).toEqual(names(envList(spec.env)));
  });

  test("keeps secrets in sensitive variables and generated passwords", () => {
    expect(synthesized).toHaveResourceWithProperties(Password, { length: 40, special: false });
    expect(Object.keys(json.resource.random_password)).toHaveLength(3);
    for (const name of ["LITELLM_MASTER_KEY", "LITELLM_SALT_KEY", "LITELLM_DB_PASSWORD", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"]) {
      expect(json.variable[name]).toMatchObject({ type: "string", sensitive: true, default: "" });
    }
    expect(json.variable.LITELLM_MASTER_KEY.validation[0].condition).toContain('startswith(var.LITELLM_MASTER_KEY, "sk-")');
  });

  test("outputs the base URL, the master key as sensitive, and the OpenClaw snippet", () => {
    expect(json.output.base_url.value).toBe("http://localhost:4000");
    expect(json.output.master_key).toMatchObject({ sensitive: true });
    // Escaped for Terraform, which evaluates it back to ${LITELLM_API_KEY} (terraform-evaluate.test.ts).
    expect(json.output.openclaw_snippet.value).toContain("apiKey: '$${LITELLM_API_KEY}'");
    expect(json.output.openclaw_snippet.sensitive).toBeUndefined();
  });

  test("ties a changed healthcheck to a new container through a label", () => {
    const hashOf = (stack: Json, name: string) =>
      containerNamed(stack, name).labels.find((l: Json) => l.label === "io.litellm-stack.healthcheck-hash").value;
    expect(hashOf(json, "unit-postgres")).toMatch(/^[0-9a-f]{12}$/);
    // The Postgres healthcheck names the user, so a new user changes it.
    expect(hashOf(synth({ database: { user: "other" } }), "unit-postgres")).not.toBe(hashOf(json, "unit-postgres"));
    expect(hashOf(synth({ litellm: { port: 4100 } }), "unit-litellm")).toBe(hashOf(json, "unit-litellm"));
  });

  test("without the database: no Postgres, no volume, no DATABASE_URL", () => {
    const bare = synth({ database: { enabled: false } });
    expect(containers(bare).map((c) => c.name)).toEqual(["unit-litellm"]);
    expect(bare.resource.docker_volume).toBeUndefined();
    const litellm = containerNamed(bare, "unit-litellm");
    expect(litellm.env.some((e: string) => e.startsWith("DATABASE_URL="))).toBe(false);
    expect(litellm.depends_on).toEqual([expect.stringMatching(/^terraform_data\.local-files/)]);
  });

  test("names every resource after the stack, and binds where asked", () => {
    const other = synth({ name: "team-proxy", litellm: { port: 8080, bindAddress: "0.0.0.0", workers: 2 } });
    // Two workers bring Redis along (shared rate limits and caches).
    expect(containers(other).map((c) => c.name).sort()).toEqual(["team-proxy-litellm", "team-proxy-postgres", "team-proxy-redis"]);
    const litellm = containerNamed(other, "team-proxy-litellm");
    expect(litellm.ports).toEqual([{ internal: 4000, external: 8080, ip: "0.0.0.0" }]);
    expect(litellm.command).toEqual(expect.arrayContaining(["--num_workers", "2"]));
  });
});

describe("LiteLLM's dashboard", () => {
  const synthOf = (overrides: Record<string, unknown>) => {
    const config = validConfig(overrides);
    return JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: "/p" })));
  };
  const litellmEnv = (json: Record<string, any>) =>
    (Object.values(json.resource.docker_container) as Record<string, any>[]).find((c) => c.name === "unit-litellm")?.env as string[];

  test("on by default: its URL is an output, the login is admin with LITELLM_UI_PASSWORD, else the master key, never empty", () => {
    const json = synthOf({});
    expect(json.output.dashboard_url.value).toBe("http://localhost:4000/ui");
    expect(litellmEnv(json)).toEqual(
      expect.arrayContaining([
        "UI_USERNAME=admin",
        expect.stringMatching(
          /^UI_PASSWORD=\$\{coalesce\(local\.secrets_input_LITELLM_UI_PASSWORD_[0-9A-F]{8}, local\.secrets_input_LITELLM_MASTER_KEY_[0-9A-F]{8}, local\.secrets_master_key_generated_[0-9A-F]{8}\)\}$/,
        ),
      ]),
    );
    expect(json.variable.LITELLM_UI_PASSWORD).toMatchObject({ sensitive: true, default: "" });
  });

  test("off: DISABLE_ADMIN_UI, no URL, no password variable", () => {
    const json = synthOf({ dashboard: { enabled: false } });
    expect(json.output.dashboard_url).toBeUndefined();
    expect(json.variable.LITELLM_UI_PASSWORD).toBeUndefined();
    expect(litellmEnv(json)).toContain("DISABLE_ADMIN_UI=True");
    expect(litellmEnv(json).some((e) => e.startsWith("UI_PASSWORD="))).toBe(false);
  });
});

describe("Redis whenever more than one LiteLLM process serves", () => {
  const synthOf = (overrides: Record<string, unknown>) => {
    const config = validConfig(overrides);
    return JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: "/p" })));
  };
  const named = (json: Record<string, any>, name: string) =>
    (Object.values(json.resource.docker_container) as Record<string, any>[]).find((c) => c.name === name) as Record<string, any>;

  test("one worker: no Redis, nothing about it in config.yaml", () => {
    const json = synthOf({});
    expect(named(json, "unit-redis")).toBeUndefined();
    expect(named(json, "unit-litellm").upload[0].content).not.toContain("redis");
  });

  test("two workers: Redis on the private network only, password from LITELLM_REDIS_PASSWORD else generated, never on a command line", () => {
    const json = synthOf({ litellm: { workers: 2 } });
    const redis = named(json, "unit-redis");
    expect(redis).toMatchObject({ image: expect.stringContaining("docker_image"), user: "redis", networks_advanced: [{ aliases: ["redis"] }] });
    expect(redis.ports ?? []).toEqual([]);
    expect(redis.volumes ?? []).toEqual([]);
    expect(JSON.stringify(redis.command)).not.toMatch(/var\.|random_password/);
    expect(redis.env).toEqual(
      expect.arrayContaining([expect.stringMatching(/^REDIS_PASSWORD=\$\{coalesce\(local\.secrets_input_LITELLM_REDIS_PASSWORD_[0-9A-F]{8}, random_password\.secrets_redis_password_[0-9A-F]{8}\.result\)\}$/)]),
    );
    const litellm = named(json, "unit-litellm");
    expect(litellm.env).toEqual(expect.arrayContaining(["REDIS_HOST=redis", "REDIS_PORT=6379", expect.stringMatching(/^REDIS_PASSWORD=\$\{coalesce/)]));
    expect(litellm.depends_on).toEqual(expect.arrayContaining([expect.stringContaining("redis_container")]));
    expect(litellm.upload[0].content).toContain(["redis_host: os.environ/REDIS_HOST", "redis_port: os.environ/REDIS_PORT", "redis_password: os.environ/REDIS_PASSWORD"].join("\n  "));
  });

  test("fails on more than one worker without Redis, and on a Redis below its security floor", () => {
    expect(problemsOf(configInput({ litellm: { workers: 3 }, redis: { enabled: false } }))).toEqual([
      expect.stringMatching(/^redis\.enabled: litellm\.workers is 3: more than one process needs Redis .* remove redis\.enabled: false or run one process$/),
    ]);
    expect(problemsOf(configInput({ redis: { image: "redis:7.2.4" } }))).toEqual([
      "redis.image: Redis 7.2.4 has CVE-2025-49844 (remote code execution through Lua) or is an unsupported line: e.g. redis:8.2.2",
    ]);
    expect(problemsOf(configInput({ redis: { image: "redis:7" } }))).toEqual([expect.stringMatching(/^redis\.image: .*uses the tag "7", which moves/)]);
    expect(validConfig({ redis: { image: "redis:7.4.6" } }).redis.image).toBe("redis:7.4.6");
    expect(validConfig({ redis: { image: "redis:8.4.0" } }).redis.image).toBe("redis:8.4.0");
  });

  test("a per-deployment rpm is enforced, not only a routing weight", () => {
    const json = synthOf({ models: [{ preset: "mock", rpm: 10 }], router: {}, openclaw: {} });
    const config = named(json, "unit-litellm").upload[0].content as string;
    expect(config).toContain("rpm: 10");
    expect(config).toContain("optional_pre_call_checks:\n    - enforce_model_rate_limits");
  });
});
