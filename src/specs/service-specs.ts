/**
 * Validated config + secret values -> the two ContainerSpecs (Postgres, LiteLLM). Pure: the secret
 * values are whatever the caller passes, Terraform tokens from the stack or test values from the
 * end-to-end suite.
 */
import { createHash } from "node:crypto";
import type { StackConfig } from "../catalog/validate";
import { renderLiteLLMConfig } from "../generate/litellm-config";
import { livelinessProbe } from "./health-probe";
import { DATABASE_URL_ENV, MASTER_KEY_ENV, REDIS_CONTAINER_ENV, SALT_KEY_ENV, upstreamCredentialEnvNames } from "../catalog/env-names";
import type { ContainerSpec, HealthcheckSpec } from "./container-spec";

export interface StackSecrets {
  /** The proxy's admin key (`sk-...`). */
  readonly masterKey: string;
  /** The database's secrets: only a stack with a database has them. */
  readonly database?: DatabaseSecrets;
  /**
   * The dashboard's login password.
   * @default - the master key (LiteLLM's own fallback)
   */
  readonly uiPassword?: string;
  /** Redis's password: only a stack with Redis has it. */
  readonly redisPassword?: string;
  /** Upstream credential variable name -> value. */
  readonly upstream: Readonly<Record<string, string>>;
}

export interface DatabaseSecrets {
  /** Encrypts credentials LiteLLM stores in the database; must never change once data exists. */
  readonly saltKey: string;
  readonly password: string;
  /** The same password, URL-encoded for DATABASE_URL. */
  readonly passwordInUrl: string;
}

export const LABEL_PREFIX = "io.litellm-stack";
export const LITELLM_PORT_IN_CONTAINER = 4000;
export const LITELLM_CONFIG_PATH = "/app/config.yaml";
export const POSTGRES_ALIAS = "postgres";
export const REDIS_ALIAS = "redis";
export const REDIS_PORT = 6379;
export const LITELLM_ALIAS = "litellm";
export const POSTGRES_DATA_PATH = "/var/lib/postgresql/data";

/**
 * LiteLLM fetches nothing of its own. The pinned 1.108.5 has no offline mode and reads one switch per
 * shipped copy; LITELLM_OFFLINE_MODE is for a newer release a user pins (1.109 and 1.110 read it for
 * the cost map, beta headers, policy templates, blog posts, the breached-password and latest-release
 * checks and tokenizer downloads; checked in their wheels).
 */
export const LITELLM_OFFLINE_SWITCHES: Readonly<Record<string, string>> = {
  LITELLM_OFFLINE_MODE: "true",
  LITELLM_LOCAL_MODEL_COST_MAP: "True",
  LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS: "True",
  LITELLM_LOCAL_AUTOROUTER_PRESETS: "True",
  LITELLM_LOCAL_POLICY_TEMPLATES: "True",
  LITELLM_LOCAL_BLOG_POSTS: "True",
};

export type Component = "postgres" | "litellm" | "redis" | "network" | "volume" | "load-balancer" | "migrations";

/** Names of every Docker object of one stack: all derive from its name, so stacks never clash. */
export function resourceNames(stackName: string) {
  return {
    network: `${stackName}-net`,
    volume: `${stackName}-pgdata`,
    postgres: `${stackName}-postgres`,
    redis: `${stackName}-redis`,
    litellm: `${stackName}-litellm`,
  } as const;
}

/** Labels that identify a stack's objects on a shared Docker host. */
export function stackLabels(config: Pick<StackConfig, "name" | "experiment">, component: Component): Record<string, string> {
  return {
    [`${LABEL_PREFIX}.stack`]: config.name,
    [`${LABEL_PREFIX}.component`]: component,
    [`${LABEL_PREFIX}.managed-by`]: "cdktf",
    ...(config.experiment ? { [`${LABEL_PREFIX}.experiment`]: config.experiment } : {}),
  };
}

/**
 * A spec's labels that name what an object is (its stack, component, experiment) and never change
 * over its life. kreuzwerker/docker 3.6.2 replaces a `docker_service` or `docker_secret` whose labels
 * change (seen in a real plan: an image label change planned "4 to add, 4 to destroy", and the
 * replacement deleted the proxy), so swarm objects carry only these.
 */
export function identityLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const identity = new Set(["stack", "component", "managed-by", "experiment"].map((key) => `${LABEL_PREFIX}.${key}`));
  return Object.fromEntries(Object.entries(labels).filter(([label]) => identity.has(label)));
}

/**
 * A label holding a hash of the healthcheck: kreuzwerker/docker 3.6.2 plans a changed healthcheck
 * as an in-place update that does nothing (#988); a changed label forces a new container.
 */
function healthcheckLabel(healthcheck: HealthcheckSpec): Record<string, string> {
  const hash = createHash("sha256").update(JSON.stringify(healthcheck)).digest("hex").slice(0, 12);
  return { [`${LABEL_PREFIX}.healthcheck-hash`]: hash };
}

/**
 * The image reference as configured. The container itself must be created from the image id (the
 * provider reads `image` back as the id, so a name would be a change at every plan), which makes
 * `docker ps` show a bare id; this label, and `npm run stacks`, show the name.
 */
export function imageLabel(image: string): Record<string, string> {
  return { [`${LABEL_PREFIX}.image`]: image };
}

export function databaseUrl(config: StackConfig, passwordInUrl: string): string {
  const { user, name } = config.database;
  return `postgresql://${user}:${passwordInUrl}@${POSTGRES_ALIAS}:5432/${name}`;
}

/** A secret the configuration calls for: its absence is a caller's bug, not a user's mistake. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`this stack's configuration needs ${what}, and none was given`);
  return value;
}

const databaseSecrets = (secrets: StackSecrets): DatabaseSecrets => required(secrets.database, "the database's secrets");
const redisPassword = (secrets: StackSecrets): string => required(secrets.redisPassword, "a Redis password");

/**
 * The healthcheck's start interval is only sent to engines that take it: the provider's client
 * refuses to create any container with it below API 1.44 (Engine 25), after the network and
 * volume already exist.
 */
export function supportsStartInterval(engineApiVersion: string | undefined): boolean {
  const minor = engineApiVersion ? Number(engineApiVersion.split(".")[1]) : 0;
  return minor >= 44;
}

function startInterval(config: StackConfig, seconds: number): { startIntervalSeconds?: number } {
  return supportsStartInterval(config.docker.engineApiVersion) ? { startIntervalSeconds: seconds } : {};
}

export function postgresSpec(config: StackConfig, secrets: StackSecrets): ContainerSpec {
  const names = resourceNames(config.name);
  const { user, name: database } = config.database;
  const healthcheck: HealthcheckSpec = {
    // Over TCP: the official image's first-boot init server listens on the socket only, so a
    // socket check could pass before the real server is up.
    test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", user, "-d", database],
    // pg_isready costs ~7 ms of CPU: probing every second is free and LiteLLM starts sooner (npm run bench).
    intervalSeconds: 1,
    timeoutSeconds: 5,
    startPeriodSeconds: 30,
    ...startInterval(config, 1),
    retries: 30,
  };
  return {
    name: names.postgres,
    image: config.database.image,
    env: { POSTGRES_USER: user, POSTGRES_PASSWORD: databaseSecrets(secrets).password, POSTGRES_DB: database },
    command: [],
    entrypoint: ["docker-entrypoint.sh", "postgres"],
    secretEnv: ["POSTGRES_PASSWORD"],
    uploads: [],
    healthcheck,
    network: { name: names.network, aliases: [POSTGRES_ALIAS] },
    volumes: [{ volumeName: names.volume, containerPath: POSTGRES_DATA_PATH }],
    // Not published on the host: only LiteLLM, on the private network, talks to it.
    ports: [],
    labels: { ...stackLabels(config, "postgres"), ...imageLabel(config.database.image), ...healthcheckLabel(healthcheck) },
    restart: "unless-stopped",
    stopGraceSeconds: 30,
    healthyTimeoutSeconds: 120,
  };
}

/**
 * Redis for LiteLLM's shared state. Nothing in it needs to outlive a restart (counters, cooldowns,
 * caches: LiteLLM's durable data is in Postgres), so it keeps nothing on disk and has no volume.
 * The password reaches redis-server from the environment, never in its command line.
 */
export function redisSpec(config: StackConfig, secrets: StackSecrets): ContainerSpec {
  const names = resourceNames(config.name);
  const healthcheck: HealthcheckSpec = {
    // redis-cli reads the password from REDISCLI_AUTH; PONG only with the right one.
    test: ["CMD-SHELL", "redis-cli ping | grep -q PONG"],
    intervalSeconds: 1,
    timeoutSeconds: 3,
    startPeriodSeconds: 10,
    ...startInterval(config, 1),
    retries: 30,
  };
  return {
    name: names.redis,
    image: config.redis.image,
    env: { [REDIS_CONTAINER_ENV.password]: redisPassword(secrets), REDISCLI_AUTH: redisPassword(secrets) },
    secretEnv: [REDIS_CONTAINER_ENV.password, "REDISCLI_AUTH"],
    command: ["sh", "-c", `exec redis-server --port ${REDIS_PORT} --requirepass "$REDIS_PASSWORD" --save "" --appendonly no`],
    user: "redis",
    uploads: [],
    healthcheck,
    network: { name: names.network, aliases: [REDIS_ALIAS] },
    volumes: [],
    // Never published on the host: only LiteLLM, on the private network, talks to it.
    ports: [],
    labels: { ...stackLabels(config, "redis"), ...imageLabel(config.redis.image), ...healthcheckLabel(healthcheck) },
    restart: "unless-stopped",
    memoryMb: 256,
    stopGraceSeconds: 10,
    healthyTimeoutSeconds: 60,
  };
}

export function liteLLMSpec(config: StackConfig, secrets: StackSecrets): ContainerSpec {
  const names = resourceNames(config.name);
  const { litellm } = config;
  const startPeriodSeconds = 60;
  const healthcheck: HealthcheckSpec = {
    // While the container is young the probe waits for the proxy itself (health-probe.ts), so
    // "healthy" follows "serving" within ~0.1 s even on engines without start_interval.
    test: ["CMD", "python3", "-c", livelinessProbe({ port: LITELLM_PORT_IN_CONTAINER, patienceSeconds: 20, startPeriodSeconds, requestTimeoutSeconds: 4 })],
    // Each probe starts a Python (~45 ms of CPU): every 3 s is ~2% of a core.
    intervalSeconds: 3,
    // Above the young probe's patience (20 s) and last request (4 s); a started one ends within 4 s.
    timeoutSeconds: 25,
    startPeriodSeconds,
    ...startInterval(config, 1),
    retries: 10,
  };
  const upstream = Object.fromEntries(
    upstreamCredentialEnvNames(config.models).map((env) => [env, secrets.upstream[env] ?? ""]),
  );
  return {
    name: names.litellm,
    image: litellm.image,
    env: {
      ...upstream,
      [MASTER_KEY_ENV]: secrets.masterKey,
      ...(config.database.enabled
        ? {
            [SALT_KEY_ENV]: databaseSecrets(secrets).saltKey,
            [DATABASE_URL_ENV]: databaseUrl(config, databaseSecrets(secrets).passwordInUrl),
          }
        : {}),
      ...(config.redis.enabled
        ? {
            [REDIS_CONTAINER_ENV.host]: REDIS_ALIAS,
            [REDIS_CONTAINER_ENV.port]: String(REDIS_PORT),
            [REDIS_CONTAINER_ENV.password]: redisPassword(secrets),
          }
        : {}),
      LITELLM_LOG: litellm.logLevel,
      // The dashboard at /ui: its login, or switched off. Never an empty UI_PASSWORD (LiteLLM
      // would accept an empty password), so the master key stands in, as LiteLLM itself does.
      ...(config.dashboard.enabled
        ? { UI_USERNAME: config.dashboard.username, UI_PASSWORD: secrets.uiPassword ?? secrets.masterKey }
        : { DISABLE_ADMIN_UI: "True" }),
      // Do not read a stray .env file inside the container.
      LITELLM_MODE: "PRODUCTION",
      // No request of LiteLLM's own: a deployed proxy behaves as its pinned release does, talks only
      // to the providers the catalog names, and starts without retries where egress is closed.
      ...LITELLM_OFFLINE_SWITCHES,
    },
    // The official image's entrypoint script runs `litellm` with the container's arguments.
    entrypoint: ["litellm"],
    secretEnv: [
      ...Object.keys(upstream),
      MASTER_KEY_ENV,
      ...(config.database.enabled ? [SALT_KEY_ENV, DATABASE_URL_ENV] : []),
      ...(config.redis.enabled ? [REDIS_CONTAINER_ENV.password] : []),
      ...(config.dashboard.enabled ? ["UI_PASSWORD"] : []),
    ],
    command: [
      "--config",
      LITELLM_CONFIG_PATH,
      "--port",
      String(LITELLM_PORT_IN_CONTAINER),
      "--num_workers",
      String(litellm.workers),
    ],
    uploads: [{ path: LITELLM_CONFIG_PATH, content: renderLiteLLMConfig(config) }],
    healthcheck,
    network: { name: names.network, aliases: [LITELLM_ALIAS] },
    volumes: [],
    ports: [{ internal: LITELLM_PORT_IN_CONTAINER, external: litellm.port, ip: litellm.bindAddress }],
    labels: {
      ...stackLabels(config, "litellm"),
      // Read back by `npm run stacks` and the port-clash check.
      [`${LABEL_PREFIX}.port`]: String(litellm.port),
      [`${LABEL_PREFIX}.url`]: config.openclaw.baseUrl,
      ...imageLabel(litellm.image),
      ...healthcheckLabel(healthcheck),
    },
    restart: "unless-stopped",
    memoryMb: litellm.memoryLimitMb,
    stopGraceSeconds: 10,
    // A first boot with database migrations takes minutes on a small machine.
    healthyTimeoutSeconds: litellm.startTimeoutSeconds,
  };
}
