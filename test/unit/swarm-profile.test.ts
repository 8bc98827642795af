/**
 * The swarm profile's pure parts: validation, the services it derives from the container specs,
 * the load balancer's config and the deploy's engine check.
 */
import { Testing } from "cdktf";
import type { StackSecrets } from "../../src/specs/service-specs";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { liteLLMSpec } from "../../src/specs/service-specs";
import { renderHaproxyConfig, serverSlotsFor } from "../../src/generate/haproxy-config";
import { parseSwarmInfo, swarmDeployProblem } from "../../src/lifecycle/swarm-check";
import { parseDockerPs } from "../../src/lifecycle/running-stacks";
import { exposureFindings } from "../../src/catalog/exposure";
import { loadPresets } from "../../src/catalog/presets";
import { validateStackConfig } from "../../src/catalog/validate";
import {
  configObjectName,
  EXPORT_SECRETS,
  secretObjectNameOf,
  type ServiceSpec,
  withSecretsFromFiles,
} from "../../src/swarm/service-spec";
import { swarmServiceSpecs } from "../../src/swarm/swarm-specs";
import { problemsOf, validConfig } from "./helpers";

const SECRETS: StackSecrets = {
  masterKey: "sk-master",
  database: { saltKey: "sk-salt", password: "pw", passwordInUrl: "pw" },
  redisPassword: "redis-pw",
  upstream: { ANTHROPIC_API_KEY: "sk-ant", OPENAI_API_KEY: "sk-oai" },
};
const swarm = (overrides: Record<string, unknown> = {}) =>
  validConfig({ profile: "swarm", swarm: { replicas: 3, databaseNode: "node-1" }, ...overrides });

describe("validation", () => {
  test("Redis comes along by default as soon as replicas x workers is above 1, and cannot be switched off then", () => {
    expect(swarm().redis.enabled).toBe(true);
    expect(validConfig({ profile: "swarm", swarm: { replicas: 1, databaseNode: "n" } }).redis.enabled).toBe(false);
    expect(problemsOf({ ...rawSwarm(), redis: { enabled: false } })).toEqual([
      expect.stringMatching(/^redis\.enabled: swarm\.replicas x litellm\.workers is 3: more than one process needs Redis/),
    ]);
  });

  test("swarm settings without the swarm profile, a missing database node, a bindAddress and a floating load balancer are refused, each by name", () => {
    expect(problemsOf({ ...rawSwarm(), profile: "container" })).toEqual([
      expect.stringMatching(/^swarm: swarm settings only apply with profile: swarm/),
    ]);
    expect(problemsOf({ ...rawSwarm(), swarm: { replicas: 2 } })).toEqual([
      expect.stringMatching(/^swarm\.databaseNode: is required with the database/),
    ]);
    expect(problemsOf({ ...rawSwarm(), litellm: { bindAddress: "127.0.0.1" } })).toEqual([
      expect.stringMatching(/^litellm\.bindAddress: the swarm profile publishes the port on every interface/),
    ]);
    expect(problemsOf({ ...rawSwarm(), swarm: { databaseNode: "n", loadBalancerImage: "haproxy:latest" } })).toEqual([
      expect.stringMatching(
        /^swarm\.loadBalancerImage: "haproxy:latest" uses the moving tag "latest": pin a release, e.g\. haproxy:3\.2\.6$/
      ),
    ]);
    expect(problemsOf({ ...rawSwarm(), swarm: { replicas: 0, databaseNode: "n" } })).toEqual([expect.stringMatching(/^swarm\.replicas: /)]);
  });

  test("no database: no database node needed", () => {
    expect(validConfig({ profile: "swarm", database: { enabled: false }, swarm: { replicas: 2 } }).swarm?.databaseNode).toBeUndefined();
  });
});

function rawSwarm() {
  return { profile: "swarm", swarm: { replicas: 3, databaseNode: "node-1" }, models: [{ preset: "mock" }] };
}

describe("the services", () => {
  const services = swarmServiceSpecs(swarm(), SECRETS);

  test("LiteLLM: the container profile's process, image and healthcheck; N replicas rolled one at a time, new before old, back on failure", () => {
    const container = liteLLMSpec(swarm(), SECRETS);
    expect(services.litellm.command).toEqual(withSecretsFromFiles(["litellm", ...container.command]));
    expect(services.litellm.image).toBe(container.image);
    expect(services.litellm.healthcheck).toEqual(container.healthcheck);
    expect(services.litellm.mode).toEqual({ replicas: 3 });
    expect(services.litellm.update).toEqual({ order: "start-first", parallelism: 1, monitorSeconds: 15, failureAction: "rollback" });
    expect(services.litellm.endpointMode).toBe("dnsrr");
    expect(services.litellm.ports).toEqual([]);
    // Replicas leave migrations to the migrations task; a replica finishes its longest request before it stops.
    expect(services.litellm.env.DISABLE_SCHEMA_UPDATE).toBe("true");
    expect(services.litellm.stopGraceSeconds).toBeGreaterThan(swarm().router.timeoutSeconds);
  });

  test("secrets are files, never in the service's environment; each service gets only its own", () => {
    const names = (spec: { secrets: readonly { envName: string }[] }) => spec.secrets.map((s) => s.envName);
    expect(names(services.litellm)).toEqual([
      "ANTHROPIC_API_KEY",
      "DATABASE_URL",
      "LITELLM_MASTER_KEY",
      "LITELLM_SALT_KEY",
      "OPENAI_API_KEY",
      "REDIS_PASSWORD",
      "UI_PASSWORD",
    ]);
    expect(names(services.migrations!)).toEqual(["DATABASE_URL"]);
    expect(names(services.postgres!)).toEqual(["POSTGRES_PASSWORD"]);
    expect(names(services.redis!)).toEqual(["REDISCLI_AUTH", "REDIS_PASSWORD"]);
    expect(services.loadBalancer.secrets).toEqual([]);
    for (const spec of Object.values(services)) {
      expect(JSON.stringify({ ...spec, secrets: [] })).not.toMatch(/sk-master|sk-salt|redis-pw|sk-ant|sk-oai|"pw"/);
    }
  });

  test("Postgres stays on its node, with its volume, stopped before a new one starts; migrations run once, then idle healthy", () => {
    expect(services.postgres!.placementConstraints).toEqual(["node.hostname == node-1"]);
    expect(services.postgres!.volumes).toEqual([{ volumeName: "unit-pgdata", containerPath: "/var/lib/postgresql/data" }]);
    expect(services.postgres!.update.order).toBe("stop-first");
    expect(services.migrations!.mode).toEqual({ replicas: 1 });
    expect(services.migrations!.command.at(-1)).toMatch(/^litellm --skip_server_startup && touch \/tmp\/litellm-migrated/);
    expect(services.migrations!.healthcheck.test).toEqual(["CMD-SHELL", `${EXPORT_SECRETS}; test -f /tmp/litellm-migrated`]);
    expect(services.migrations!.restart.condition).toBe("on-failure");
    expect(services.migrations!.ports).toEqual([]);
  });

  test("the load balancer: one task per node on the configured port, host mode; its config does not change with the catalog", () => {
    expect(services.loadBalancer.mode).toBe("global");
    expect(services.loadBalancer.ports).toEqual([{ internal: 4000, external: 4000 }]);
    const other = swarmServiceSpecs(
      swarm({ models: [{ preset: "claude-opus-4-6" }, { preset: "gpt-4o" }, { preset: "mock" }, { preset: "mock", id: "another" }] }),
      SECRETS
    );
    expect(other.loadBalancer.configs).toEqual(services.loadBalancer.configs);
    expect(other.litellm.configs[0].contentHash).not.toBe(services.litellm.configs[0].contentHash);
  });

  test("without a database: no Postgres, no migrations, no schema switch", () => {
    const noDb = swarmServiceSpecs(validConfig({ profile: "swarm", database: { enabled: false }, swarm: { replicas: 2 } }), {
      ...SECRETS,
      database: undefined,
    });
    expect(noDb.postgres).toBeUndefined();
    expect(noDb.migrations).toBeUndefined();
    expect(noDb.litellm.env.DISABLE_SCHEMA_UPDATE).toBeUndefined();
  });

  test("the container profile has none of it", () => {
    expect(() => swarmServiceSpecs(validConfig(), SECRETS)).toThrow(/profile: swarm/);
  });
});

describe("haproxy.cfg", () => {
  const cfg = renderHaproxyConfig({
    upstreamService: "s-litellm",
    upstreamPort: 4000,
    listenPort: 4000,
    requestTimeoutSeconds: 600,
    serverSlots: serverSlotsFor(3),
  });

  test("finds the replicas through Docker's DNS, health-checks them every second, retries what a replica dropped", () => {
    expect(cfg).toContain("nameserver docker 127.0.0.11:53");
    expect(cfg).toContain("server-template replica 1-8 tasks.s-litellm:4000");
    expect(cfg).toContain("option httpchk GET /health/liveliness");
    expect(cfg).toContain("default-server check inter 1s fall 1 rise 1 resolvers docker init-addr none");
    expect(cfg).toContain("retry-on conn-failure empty-response junk-response 503");
    expect(cfg).toContain("option redispatch 1");
  });

  test("never cuts a request shorter than LiteLLM's own timeout", () => {
    expect(cfg).toContain("timeout server 630s");
    expect(cfg).toContain("timeout client 630s");
  });
});

describe("the deploy's engine check", () => {
  const node = (text: string) => parseSwarmInfo(text);

  test("a manager that is the database's node passes; the container profile is never checked", () => {
    expect(swarmDeployProblem(swarm(), node("active true node-1\n"))).toBeUndefined();
    expect(swarmDeployProblem(validConfig(), node("inactive false x"))).toBeUndefined();
  });

  test("no swarm, a worker, or another node than the database's: refused with what to do", () => {
    expect(swarmDeployProblem(swarm(), node("inactive false node-1"))).toMatch(/swarm state is "inactive": run `docker swarm init`/);
    expect(swarmDeployProblem(swarm(), node("active false node-1"))).toMatch(/is a swarm worker: point DOCKER_HOST at a manager/);
    expect(swarmDeployProblem(swarm(), node("active true node-2"))).toMatch(
      /swarm\.databaseNode is "node-1" but the deploy talks to "node-2"/
    );
  });
});

test("npm run stacks: one row per stack, however many replicas (and stopped tasks of earlier rollouts)", () => {
  const row = (state: string) => JSON.stringify({ Labels: "io.litellm-stack.stack=team,io.litellm-stack.port=4000", State: state });
  const stacks = parseDockerPs([row("running"), row("running"), row("exited"), row("running")].join("\n"));
  expect(stacks).toEqual([{ stack: "team", port: 4000, state: "3 running" }]);
});

describe("names swarm accepts", () => {
  const longest = validConfig({
    name: "a".repeat(40),
    profile: "swarm",
    swarm: { replicas: 2, databaseNode: "n" },
    models: [
      { preset: "mock" },
      {
        id: "m",
        name: "M",
        model: "openai/x",
        apiKeyEnv: "A_VERY_LONG_PROVIDER_CREDENTIAL_VARIABLE_NAME",
        contextWindow: 1000,
        maxTokens: 100,
      },
    ],
    router: {},
    openclaw: { primary: "mock" },
  });
  const services = swarmServiceSpecs(longest, { ...SECRETS, upstream: { A_VERY_LONG_PROVIDER_CREDENTIAL_VARIABLE_NAME: "v" } });

  test("config and secret names stay within 64 characters and distinct, however long the stack and variable names", () => {
    const specs = Object.values(services).filter((spec): spec is ServiceSpec => spec !== undefined);
    const names = specs.flatMap((spec) => [
      ...spec.configs.map((c) => configObjectName(spec, c)),
      ...spec.secrets.map((s) => secretObjectNameOf(spec, s)),
    ]);
    expect(names.some((n) => n.length === 64)).toBe(true); // some were cut to fit
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
    expect(new Set(names).size).toBe(names.length);
  });

  test("a stack name that would make a service name over 63 characters is refused", () => {
    expect(validateStackConfig({ ...rawSwarm(), name: "a".repeat(40) }, loadPresets(), "test").name).toBe("a".repeat(40));
    expect(() =>
      validateStackConfig({ ...rawSwarm(), name: "a".repeat(40) }, loadPresets(), "test", { EXPERIMENT: "a-long-experiment" })
    ).toThrow(/name \(with EXPERIMENT\): "a{40}-exp-a-long-experiment" is 62 characters: with the swarm profile at most 52/);
  });
});

describe("one stack, two profiles", () => {
  const synth = (config: ReturnType<typeof validConfig>) =>
    JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: "/p" }))).resource as Record<string, Record<string, unknown>>;

  test("the swarm profile renders services, configs and secrets, and no container or image", () => {
    const resources = synth(swarm());
    expect(Object.keys(resources.docker_service)).toHaveLength(5);
    expect(resources.docker_container).toBeUndefined();
    expect(resources.docker_image).toBeUndefined();
    expect(Object.keys(resources.docker_config)).toHaveLength(2);
    expect(resources.docker_network.network).toMatchObject({ driver: "overlay" });
    expect(Object.keys(resources.docker_volume)).toEqual(["postgres-data"]);
  });

  test("the container profile keeps the Terraform addresses of earlier versions (a new address would replace every container)", () => {
    const resources = synth(validConfig({ litellm: { workers: 2 } }));
    expect(Object.keys(resources.docker_container).sort()).toEqual([
      "litellm_container_7EDBBC99",
      "postgres_container_A7145DB3",
      "redis_container_C24AB333",
    ]);
    expect(Object.keys(resources.docker_network)).toEqual(["network"]);
    expect(Object.keys(resources.docker_volume)).toEqual(["postgres-data"]);
    expect(resources.docker_service).toBeUndefined();
  });
});

test("the swarm profile is reachable on every interface: warned, and refused without a master key from the environment", () => {
  const config = swarm();
  expect(config.litellm.bindAddress).toBe("0.0.0.0");
  const without = exposureFindings(config, {});
  // What is true of the profile (it has no bindAddress to set): host-mode ports on every interface.
  expect(without.warnings).toEqual([
    expect.stringMatching(/^warning: the swarm profile publishes the proxy on port 4000 of every interface of each node that runs its load balancer \(host-mode ports/),
    expect.stringMatching(/^warning: LiteLLM's dashboard \(\/ui\) is reachable there too, and its password is the master key/),
  ]);
  expect(without.warnings[0]).not.toMatch(/bindAddress/);
  expect(without.problems).toEqual([{ path: "profile", message: expect.stringMatching(/^the swarm profile publishes port 4000 on every interface of every node.*set LITELLM_MASTER_KEY/) }]);
  expect(exposureFindings(config, { LITELLM_MASTER_KEY: "sk-operator-managed" }).problems).toEqual([]);
});
