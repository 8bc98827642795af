/**
 * One stack, deployed onto the real engine from the stack's own ContainerSpecs, with the local
 * images in place of the pinned ones and test values in place of Terraform's generated secrets.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { parse } from "yaml";
import { loadPresets } from "../../../src/catalog/presets";
import { ENGINE_API_VERSION_ENV, type StackConfig, validateStackConfig } from "../../../src/catalog/validate";
import { engineInfo } from "../../../src/lifecycle/docker-engine";
import { liteLLMSpec, postgresSpec, redisSpec, resourceNames, type StackSecrets, stackLabels, LABEL_PREFIX } from "../../../src/specs/service-specs";
import { docker, ensureNetwork, ensureVolume, removeLabelled, runSpec, waitHealthy } from "./engine";
import { type LocalImages, mapImage } from "./images";
import { seconds } from "./wait";

export const E2E_CONFIG_FILE = join(__dirname, "..", "stack.e2e.yaml");
const engine = engineInfo();

/** A port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface E2EOverrides {
  readonly name: string;
  /** Host port; unset: the stack's default (for an experiment, its derived port). */
  readonly port?: number;
  /** false also drops the file's virtual keys and logging settings, which need the database. */
  readonly databaseEnabled: boolean;
  /** Deploys as EXPERIMENT=<experiment>. */
  readonly experiment?: string;
  /** The configuration file. @default the e2e catalog, stack.e2e.yaml */
  readonly file?: string;
  /** Further changes to the parsed file, before validation. */
  readonly adjust?: (raw: Record<string, any>) => Record<string, any>;
}

/** A catalog file, validated by the stack's own validator, with per-run overrides merged in. */
export function loadE2EConfig(overrides: E2EOverrides): StackConfig {
  const file = overrides.file ?? E2E_CONFIG_FILE;
  const raw = parse(readFileSync(file, "utf8"));
  const merged = {
    ...raw,
    name: overrides.name,
    litellm: { ...raw.litellm, ...(overrides.port ? { port: overrides.port } : {}) },
    database: { ...raw.database, enabled: overrides.databaseEnabled },
    ...(overrides.databaseEnabled ? {} : { keys: [], logging: undefined }),
  };
  return validateStackConfig(
    overrides.adjust ? overrides.adjust(merged) : merged,
    loadPresets(),
    file,
    {
      ...(overrides.experiment ? { EXPERIMENT: overrides.experiment } : {}),
      // The healthcheck settings the real engine takes, as `npm run deploy` detects them.
      ...(engine && !("error" in engine) ? { [ENGINE_API_VERSION_ENV]: engine.apiVersion } : {}),
    },
  );
}

export function testSecrets(): StackSecrets {
  // Deliberately URL-hostile, to prove DATABASE_URL encodes the password.
  const databasePassword = `pw/${randomBytes(6).toString("hex")}@:%`;
  return {
    masterKey: `sk-e2e-${randomBytes(12).toString("hex")}`,
    database: {
      saltKey: `sk-salt-${randomBytes(12).toString("hex")}`,
      password: databasePassword,
      passwordInUrl: encodeURIComponent(databasePassword),
    },
    redisPassword: `redis-${randomBytes(12).toString("hex")}`,
    // The e2e catalog's provider-down model needs some key; its provider is unreachable anyway.
    upstream: { E2E_DOWN_PROVIDER_KEY: "sk-not-a-real-upstream-key" },
  };
}

export class Deployment {
  readonly names: ReturnType<typeof resourceNames>;
  /** Docker label filter matching every object of this stack. */
  readonly labelFilter: string;
  readonly secrets = testSecrets();
  readonly baseUrl: string;
  /** What became healthy when, for the report. */
  readonly timings: Record<string, string> = {};

  /**
   * @param stack the stack as configured (its Postgres spec, if any, is what runs)
   * @param proxyConfig the configuration LiteLLM's spec is rendered from
   */
  constructor(
    readonly stack: StackConfig,
    public proxyConfig: StackConfig,
    readonly images: LocalImages,
  ) {
    this.names = resourceNames(stack.name);
    this.labelFilter = `${LABEL_PREFIX}.stack=${stack.name}`;
    this.baseUrl = `http://127.0.0.1:${proxyConfig.litellm.port}`;
  }

  postgresSpec() {
    return postgresSpec(this.stack, this.secrets);
  }

  liteLLMSpec(config = this.proxyConfig) {
    return liteLLMSpec(config, this.secrets);
  }

  async createNetworkAndVolume(): Promise<void> {
    await ensureNetwork(this.names.network, stackLabels(this.stack, "network"));
    if (this.stack.database.enabled) await ensureVolume(this.names.volume, stackLabels(this.stack, "volume"));
  }

  async startPostgres(): Promise<void> {
    const spec = this.postgresSpec();
    const start = Date.now();
    await runSpec(spec, mapImage(spec.image, this.images));
    await waitHealthy(spec.name, spec.healthyTimeoutSeconds * 1000);
    this.timings.postgres = seconds(start);
  }

  /** The stack's Redis, when its configuration has one (more than one LiteLLM process). */
  async startRedis(config = this.proxyConfig): Promise<void> {
    if (!config.redis.enabled) return;
    const spec = redisSpec(config, this.secrets);
    await runSpec(spec, mapImage(spec.image, this.images));
    await waitHealthy(spec.name, spec.healthyTimeoutSeconds * 1000);
  }

  async startLiteLLM(config = this.proxyConfig): Promise<void> {
    this.proxyConfig = config;
    const spec = this.liteLLMSpec(config);
    const start = Date.now();
    await runSpec(spec, mapImage(spec.image, this.images));
    await waitHealthy(spec.name, spec.healthyTimeoutSeconds * 1000);
    this.timings.litellm = seconds(start);
  }

  /** The stack without its database: network, Redis when the configuration has one, then LiteLLM. */
  async startProxy(): Promise<void> {
    await this.createNetworkAndVolume();
    await this.startRedis();
    await this.startLiteLLM();
  }

  /** What Terraform does when a forcing attribute changes: destroy (with the grace period), then create. */
  async replace(component: "postgres" | "litellm", config?: StackConfig): Promise<void> {
    const spec = component === "postgres" ? this.postgresSpec() : this.liteLLMSpec(config);
    await docker.getContainer(spec.name).stop({ t: spec.stopGraceSeconds });
    await docker.getContainer(spec.name).remove();
    if (component === "postgres") await this.startPostgres();
    else await this.startLiteLLM(config);
  }

  async destroy(): Promise<void> {
    await removeLabelled(this.labelFilter);
  }
}
