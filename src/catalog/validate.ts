/**
 * Raw configuration (parsed YAML or a TypeScript object) -> a validated StackConfig.
 *
 * Each section is checked on its own and cross-field rules run on whatever parsed, so one run
 * reports every problem in the file, each naming its field, before any construct exists.
 */
import { isIP } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError, type ConfigProblem } from "./config-error";
import { imagePinProblems, liteLLMImageProblems, redisImageProblems } from "./image-policy";
import type { PresetCatalog } from "./presets";
import { experimentPort, EXPERIMENT_ENV } from "./experiment";
import { closestKey, knownKeysAt } from "./key-suggestion";
import {
  type deploymentEntrySchema,
  dockerHostSchema,
  engineApiVersionSchema,
  experimentNameSchema,
  type Model,
  modelEntrySchema,
  resolvedModelSchema,
  singleUpstreamModelSchema,
  stackConfigSchema,
  UPSTREAM_FIELDS,
} from "./schema";

type Parsed = z.output<typeof stackConfigSchema>;

/** `<stack>-migrations`, the longest service name, within swarm's 63 characters. */
const SWARM_STACK_NAME_MAX = 52;

/** The namespace, named after the stack, within Kubernetes' 63 characters. */
const KUBERNETES_NAMESPACE_MAX = 63;

/** Set by `npm run deploy` from the engine it deploys to (see docker.engineApiVersion). */
export const ENGINE_API_VERSION_ENV = "LITELLM_STACK_ENGINE_API_VERSION";

export interface SwarmSettings {
  readonly replicas: number;
  /** Where Postgres and its volume live; set whenever the stack has a database. */
  readonly databaseNode?: string;
  readonly loadBalancerImage: string;
}

export interface KubernetesSettings {
  readonly context?: string;
  /**
   * The kubeconfig file, resolved once for the synth and the commands alike: `kubernetes.configPath`
   * (a leading ~/ is the home folder), else $KUBECONFIG's first file, else ~/.kube/config.
   */
  readonly configPath: string;
  /** The namespace the stack owns: `kubernetes.namespace`, else the stack's name. */
  readonly namespace: string;
  readonly replicas: number;
  readonly service: { readonly type: "NodePort" | "ClusterIP" | "LoadBalancer"; readonly nodePort?: number };
  readonly storageClass?: string;
  readonly storageSize: string;
  readonly resources: { readonly cpu: string; readonly memory: string };
}

/** The validated configuration every later step works from. */
export interface StackConfig {
  /** Prefix of every resource name; for an experiment, `<name>-exp-<experiment>`. */
  readonly name: string;
  readonly experiment?: string;
  readonly docker: Parsed["docker"];
  readonly backend: Parsed["backend"];
  readonly litellm: Parsed["litellm"];
  readonly database: Parsed["database"];
  readonly models: readonly Model[];
  readonly keys: Parsed["keys"];
  readonly redis: { readonly enabled: boolean; readonly image: string };
  /** `container`: one container per service; `swarm`: Docker Swarm services. */
  readonly profile: Parsed["profile"];
  /** The swarm profile's settings: present exactly when `profile` is `swarm`. */
  readonly swarm?: SwarmSettings;
  /** The kubernetes profile's settings: present exactly when `profile` is `kubernetes`. */
  readonly kubernetes?: KubernetesSettings;
  readonly logging: Parsed["logging"];
  readonly dashboard: Parsed["dashboard"];
  /** numRetries resolved: 3 when a model has several deployments, else 2, unless written. */
  readonly router: Omit<Parsed["router"], "numRetries"> & { readonly numRetries: number };
  readonly openclaw: {
    readonly primary: string;
    readonly fallbacks: readonly string[];
    readonly baseUrl: string;
  };
}

/**
 * @param env the deployer's environment: EXPERIMENT and DOCKER_HOST take part in the configuration
 */
export function validateStackConfig(
  raw: unknown,
  presets: PresetCatalog,
  source = "configuration",
  env: NodeJS.ProcessEnv = {},
): StackConfig {
  const problems: ConfigProblem[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, [{ path: "(file)", message: "must be a YAML mapping with at least a `models` list" }]);
  }
  const input = raw as Record<string, unknown>;
  const shape = stackConfigSchema.shape;

  for (const key of Object.keys(input)) {
    // Own keys only: `constructor` or `toString` are "in" every object.
    if (!Object.hasOwn(shape, key)) problems.push({ path: key, message: `unknown key (expected one of: ${Object.keys(shape).join(", ")})` });
  }
  const section = <K extends keyof typeof shape>(key: K): z.output<(typeof shape)[K]> | undefined => {
    const result = shape[key].safeParse(input[key]);
    if (result.success) return result.data as z.output<(typeof shape)[K]>;
    problems.push(...zodProblems(result.error, [key], shape[key]));
    return undefined;
  };
  const name = section("name");
  const litellm = section("litellm");
  const database = section("database");
  const router = section("router");
  const openclaw = section("openclaw");
  const docker = section("docker");
  const backend = section("backend");
  const keys = section("keys");
  const redis = section("redis");
  const logging = section("logging");
  const dashboard = section("dashboard");
  const profile = section("profile");
  const swarmSection = section("swarm");
  const kubernetesSection = section("kubernetes");
  const experiment = section("experiment");
  const envExperiment = envValue(env, EXPERIMENT_ENV, experimentNameSchema, problems);
  const envDockerHost = docker && !docker.host ? envValue(env, "DOCKER_HOST", dockerHostSchema, problems) : undefined;
  if (docker) {
    const host = docker.host ?? envDockerHost;
    const tls = Boolean(docker.certPath || env.DOCKER_CERT_PATH);
    if (host && plainTcpBeyondLoopback(host) && !tls) {
      problems.push({
        path: docker.host ? "docker.host" : "DOCKER_HOST (environment)",
        message: `${host} without TLS gives root on the Docker host to anyone on the network: set docker.certPath (or DOCKER_CERT_PATH) to the folder with ca.pem, cert.pem and key.pem, or use ssh://user@host`,
      });
    }
  }
  const detectedApiVersion = envValue(env, ENGINE_API_VERSION_ENV, engineApiVersionSchema, problems);
  const { models, declaredIds } = resolveModels(input.models, presets, problems);

  // Checked even when a sibling field made the section fail, so one run reports both.
  const bindAddress = litellm?.bindAddress ?? rawString(input.litellm, "bindAddress");
  if (bindAddress !== undefined && isIP(bindAddress) === 0) {
    problems.push({ path: "litellm.bindAddress", message: `"${bindAddress}" is not an IPv4 or IPv6 address` });
  }
  const liteLLMImage = litellm?.image ?? rawString(input.litellm, "image");
  for (const message of liteLLMImage ? liteLLMImageProblems(liteLLMImage) : []) problems.push({ path: "litellm.image", message });
  const redisImage = redis?.image ?? rawString(input.redis, "image");
  for (const message of redisImage ? redisImageProblems(redisImage) : []) problems.push({ path: "redis.image", message });
  const swarm = profile === "swarm" ? (swarmSection ?? stackConfigSchema.shape.swarm.unwrap().parse({})) : undefined;
  const kubernetes = profile === "kubernetes" ? (kubernetesSection ?? stackConfigSchema.shape.kubernetes.unwrap().parse({})) : undefined;
  const replicas = swarm?.replicas ?? kubernetes?.replicas ?? 1;
  const processes = (litellm?.workers ?? 1) * replicas;
  if (processes > 1 && redis?.enabled === false) {
    const count = replicas > 1 ? `${profile}.replicas x litellm.workers is ${processes}` : `litellm.workers is ${processes}`;
    problems.push({
      path: "redis.enabled",
      message: `${count}: more than one process needs Redis for shared rate limits, cooldowns and key caches (without it every limit multiplies by ${processes}); remove redis.enabled: false or run one process`,
    });
  }
  problems.push(...swarmProblems(input, profile, swarmSection, database?.enabled ?? true));
  problems.push(...kubernetesProblems(input, profile));
  if (profile !== "container" && (database?.enabled ?? true)) {
    const problem = connectionProblem(replicas, litellm?.workers ?? 1, profile ?? "container");
    if (problem) problems.push(problem);
  }
  const postgresImage = database?.image ?? rawString(input.database, "image");
  for (const message of postgresImage ? imagePinProblems(postgresImage) : []) problems.push({ path: "database.image", message });

  // Checked against every id the file declares, even when an entry was wrong, so one run reports both.
  const checkRef = (path: string, id: string) => {
    if (declaredIds.size > 0 && !declaredIds.has(id)) {
      problems.push({ path, message: `"${id}" is not a model id of the catalog (known: ${[...declaredIds].join(", ")})` });
    }
  };
  if (router) {
    for (const field of ["fallbacks", "contextWindowFallbacks", "contentPolicyFallbacks"] as const) {
      for (const [primary, fallbacks] of Object.entries(router[field])) {
        checkRef(`router.${field}.${primary}`, primary);
        fallbacks.forEach((id, i) => {
          checkRef(`router.${field}.${primary}[${i}]`, id);
          if (id === primary) problems.push({ path: `router.${field}.${primary}[${i}]`, message: "a model cannot fall back to itself" });
        });
      }
    }
    problems.push(...contextWindowFallbackProblems(router.contextWindowFallbacks, models ?? []));
  }
  keys?.forEach((key, i) => {
    key.models?.forEach((id, j) => checkRef(`keys[${i}].models[${j}]`, id));
    const earlier = keys.findIndex((k) => k.alias === key.alias);
    if (earlier !== i) problems.push({ path: `keys[${i}].alias`, message: `duplicate alias "${key.alias}" (also keys[${earlier}])` });
  });
  if (logging && (logging.storeRequestBodies || logging.retention) && database && !database.enabled) {
    problems.push({ path: "logging", message: "request logs live in the database: remove logging settings or set database.enabled: true" });
  }
  if (keys && keys.length > 0 && database && !database.enabled) {
    problems.push({ path: "keys", message: "virtual keys need the database: remove them or set database.enabled: true" });
  }
  if (backend?.type === "http" && (envExperiment ?? experiment)) {
    problems.push({
      path: "backend.type",
      message: "experiments cannot share the http backend's one state address: use a local, s3 or pg backend for experiments, or a config file of their own with its own address",
    });
  }
  if (openclaw) {
    if (openclaw.primary !== undefined) checkRef("openclaw.primary", openclaw.primary);
    openclaw.fallbacks.forEach((id, i) => checkRef(`openclaw.fallbacks[${i}]`, id));
  }

  if (problems.length > 0 || !name || !litellm || !database || !router || !openclaw || !models || !docker || !backend || !keys || !logging || !dashboard || !redis || !profile) {
    throw new ConfigError(source, problems);
  }
  const experimentName = envExperiment ?? experiment;
  const stackName = experimentName ? `${name}-exp-${experimentName}` : name;
  if (profile === "swarm" && stackName.length > SWARM_STACK_NAME_MAX) {
    throw new ConfigError(source, [
      {
        path: experimentName ? "name (with EXPERIMENT)" : "name",
        message: `"${stackName}" is ${stackName.length} characters: with the swarm profile at most ${SWARM_STACK_NAME_MAX} (swarm limits service names, e.g. ${stackName}-migrations, to 63)`,
      },
    ]);
  }
  if (kubernetes && !kubernetes.namespace && stackName.length > KUBERNETES_NAMESPACE_MAX) {
    throw new ConfigError(source, [
      { path: "kubernetes.namespace", message: `the stack's name "${stackName}" is ${stackName.length} characters, too long for its namespace (at most ${KUBERNETES_NAMESPACE_MAX}): set kubernetes.namespace` },
    ]);
  }
  // An experiment gets a port of its own unless the file chose one.
  const port = experimentName && rawValue(input.litellm, "port") === undefined ? experimentPort(stackName) : litellm.port;
  const kubernetesSettings = kubernetes ? kubernetesDefaults(kubernetes, stackName, port, env) : undefined;
  return {
    name: stackName,
    ...(experimentName ? { experiment: experimentName } : {}),
    docker: { ...docker, engineApiVersion: docker.engineApiVersion ?? detectedApiVersion },
    backend,
    // Swarm's host-mode ports take no address: the load balancer listens on every interface.
    litellm: { ...litellm, port, ...(profile === "swarm" ? { bindAddress: "0.0.0.0" } : {}) },
    database,
    models,
    keys,
    // Safe by default: Redis whenever more than one LiteLLM process serves.
    redis: { enabled: redis.enabled ?? processes > 1, image: redis.image },
    profile,
    ...(swarm ? { swarm } : {}),
    ...(kubernetesSettings ? { kubernetes: kubernetesSettings } : {}),
    logging,
    dashboard,
    router: routerDefaults(router, models.some((m) => m.deployments.length > 1)),
    openclaw: {
      primary: openclaw.primary ?? models[0].id,
      fallbacks: openclaw.fallbacks,
      baseUrl: openclaw.baseUrl ?? (kubernetesSettings ? kubernetesBaseUrl(kubernetesSettings, port) : `http://localhost:${port}`),
    },
  };
}

/**
 * A group needs retries to spare: LiteLLM retries at once, possibly on the failing deployment
 * again (measured: npm run bench -- failover, docs/routing.md). Stacks without a group keep 2
 * retries, and their bytes. A group's cooldown default is per deployment: see toDeployment.
 */
function routerDefaults(router: Parsed["router"], grouped: boolean): StackConfig["router"] {
  return { ...router, numRetries: router.numRetries ?? (grouped ? 3 : 2) };
}

/** A prompt too long for a model must go to one that can take more. */
function contextWindowFallbackProblems(fallbacks: Readonly<Record<string, readonly string[]>>, models: readonly Model[]): ConfigProblem[] {
  const windowOf = new Map(models.map((m) => [m.id, m.contextWindow]));
  return Object.entries(fallbacks).flatMap(([primary, next]) =>
    next.flatMap((id, i) => {
      const from = windowOf.get(primary);
      const to = windowOf.get(id);
      if (from === undefined || to === undefined || to > from) return [];
      return [
        {
          path: `router.contextWindowFallbacks.${primary}[${i}]`,
          message: `${id}'s context window (${to}) is not larger than ${primary}'s (${from}): a prompt too long for ${primary} would not fit either; name a model with a larger contextWindow`,
        },
      ];
    }),
  );
}

/** The swarm profile's own rules: its section only with it, a node for the database, a pinned load balancer. */
function swarmProblems(input: Record<string, unknown>, profile: string | undefined, swarm: SwarmSettings | undefined, withDatabase: boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (profile !== "swarm") {
    if (input.swarm !== undefined && profile !== undefined) {
      problems.push({ path: "swarm", message: `swarm settings only apply with profile: swarm (the profile is ${profile})` });
    }
    return problems;
  }
  if (rawValue(input.litellm, "bindAddress") !== undefined) {
    problems.push({
      path: "litellm.bindAddress",
      message: "the swarm profile publishes the port on every interface of the node (swarm's host-mode ports take no address): remove bindAddress, and firewall the port if it must stay private",
    });
  }
  if (swarm && withDatabase && !swarm.databaseNode) {
    problems.push({
      path: "swarm.databaseNode",
      message: "is required with the database: the hostname (docker node ls) of the node that keeps Postgres and its volume, the node your deploy talks to",
    });
  }
  const image = swarm?.loadBalancerImage ?? rawString(input.swarm, "loadBalancerImage");
  for (const message of image ? imagePinProblems(image) : []) problems.push({ path: "swarm.loadBalancerImage", message });
  return problems;
}

/** The kubernetes profile's own rules: its section only with it; no host address to bind. */
function kubernetesProblems(input: Record<string, unknown>, profile: string | undefined): ConfigProblem[] {
  if (profile !== "kubernetes") {
    return input.kubernetes !== undefined && profile !== undefined
      ? [{ path: "kubernetes", message: `kubernetes settings only apply with profile: kubernetes (the profile is ${profile})` }]
      : [];
  }
  const problems: ConfigProblem[] = [];
  if (rawValue(input.litellm, "bindAddress") !== undefined) {
    problems.push({ path: "litellm.bindAddress", message: "the kubernetes profile publishes LiteLLM through its Service, not a host address: remove bindAddress and choose kubernetes.service.type (ClusterIP keeps it inside the cluster)" });
  }
  const service = rawValue(input.kubernetes, "service");
  if (rawValue(service, "type") === "ClusterIP" && rawValue(service, "nodePort") !== undefined) {
    problems.push({ path: "kubernetes.service.nodePort", message: "a ClusterIP Service has no node port: remove nodePort, or set type: NodePort" });
  }
  return problems;
}

/** LiteLLM's Prisma pool per process (general_settings.database_connection_pool_limit, LiteLLM's default). */
export const LITELLM_POOL_PER_PROCESS = 10;
/** Postgres' max_connections (its default, and the stack's Postgres), less its 3 superuser_reserved_connections. */
export const POSTGRES_CONNECTIONS_FOR_CLIENTS = 97;

/**
 * Every LiteLLM process opens up to its pool of connections; a rollout adds one replica (surge) beside
 * the old ones. Above what Postgres allows, requests fail with "too many clients" under load.
 */
export function connectionProblem(replicas: number, workers: number, profile: string): ConfigProblem | undefined {
  const peak = (replicas + 1) * workers * LITELLM_POOL_PER_PROCESS;
  if (peak <= POSTGRES_CONNECTIONS_FOR_CLIENTS) return undefined;
  return {
    path: `${profile}.replicas`,
    message: `(${replicas} replicas + 1 during a rollout) x ${workers} workers x ${LITELLM_POOL_PER_PROCESS} connections each is ${peak}: above the ${POSTGRES_CONNECTIONS_FOR_CLIENTS} the stack's Postgres allows (max_connections 100 less 3 reserved); lower ${profile}.replicas or litellm.workers`,
  };
}

/** Node ports live in 30000-32767 on a default cluster: the stack's port, folded into that range. */
export function defaultNodePort(port: number): number {
  return 30000 + (port % 2768);
}

/** The kubeconfig as kubectl finds it. */
export function kubeconfigPath(configured: string | undefined, env: NodeJS.ProcessEnv): string {
  if (configured) return configured.startsWith("~/") ? join(homedir(), configured.slice(2)) : configured;
  return env.KUBECONFIG?.split(":").find((path) => path.length > 0) ?? join(homedir(), ".kube", "config");
}

function kubernetesDefaults(section: NonNullable<Parsed["kubernetes"]>, stackName: string, port: number, env: NodeJS.ProcessEnv): KubernetesSettings {
  const withNodePort = section.service.type !== "ClusterIP";
  return {
    ...section,
    configPath: kubeconfigPath(section.configPath, env),
    namespace: section.namespace ?? stackName,
    service: { type: section.service.type, ...(withNodePort ? { nodePort: section.service.nodePort ?? defaultNodePort(port) } : {}) },
  };
}

/** A node port on this machine's node (the kit publishes them on 127.0.0.1), else the Service's cluster DNS name. */
function kubernetesBaseUrl(kubernetes: KubernetesSettings, port: number): string {
  if (kubernetes.service.nodePort !== undefined) return `http://localhost:${kubernetes.service.nodePort}`;
  return `http://litellm.${kubernetes.namespace}.svc.cluster.local:${port}`;
}

/** tcp://host:port where host is not this machine: the Engine API in the clear. */
function plainTcpBeyondLoopback(host: string): boolean {
  const match = /^tcp:\/\/([^:/]+)/.exec(host);
  if (!match) return false;
  const name = match[1];
  return !(name === "localhost" || name === "::1" || (isIP(name) === 4 && name.startsWith("127.")));
}

/** A setting from the environment, checked like a file field and reported under its variable name. */
function envValue(env: NodeJS.ProcessEnv, name: string, schema: z.ZodString, problems: ConfigProblem[]): string | undefined {
  const value = env[name];
  if (!value) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  problems.push({ path: `${name} (environment)`, message: `"${value}" ${result.error.issues[0].message}` });
  return undefined;
}

function rawValue(section: unknown, key: string): unknown {
  return typeof section === "object" && section !== null ? (section as Record<string, unknown>)[key] : undefined;
}

function rawString(section: unknown, key: string): string | undefined {
  const value = rawValue(section, key);
  return typeof value === "string" ? value : undefined;
}

/**
 * Applies presets to each entry and checks the result. `models` is undefined when any entry is
 * wrong; `declaredIds` holds the ids the file names either way.
 */
function resolveModels(
  raw: unknown,
  presets: PresetCatalog,
  problems: ConfigProblem[],
): { models?: Model[]; declaredIds: Set<string> } {
  const declaredIds = new Set<string>();
  if (raw === undefined) {
    problems.push({ path: "models", message: "is required: list at least one model (e.g. `- preset: mock`)" });
    return { declaredIds };
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push({ path: "models", message: "must be a non-empty list of models" });
    return { declaredIds };
  }
  for (const entry of raw) {
    // A preset name is an id only when the preset exists: a misspelt one is no model of the catalog.
    const preset = rawString(entry, "preset");
    const id = rawString(entry, "id") ?? (preset !== undefined && presets.get(preset) ? preset : undefined);
    if (id !== undefined) declaredIds.add(id);
  }
  const before = problems.length;
  const models: Model[] = [];
  raw.forEach((entryInput, i) => {
    const path = `models[${i}]`;
    const entry = modelEntrySchema.safeParse(entryInput);
    if (!entry.success) {
      problems.push(...zodProblems(entry.error, ["models", i], modelEntrySchema));
      return;
    }
    const { preset: presetName, deployments: deploymentEntries, ...overrides } = entry.data;
    let base = {};
    if (presetName !== undefined) {
      const preset = presets.get(presetName);
      if (!preset) {
        problems.push({ path: `${path}.preset`, message: `unknown preset "${presetName}" (known: ${presets.names().join(", ")})` });
        return;
      }
      base = { id: presetName, ...preset };
    }
    // A cost the entry itself writes is what LiteLLM charges (a preset's cost is OpenClaw's
    // display of a model LiteLLM prices itself): else a budget over a model LiteLLM cannot price
    // would silently never count. `pricing: litellm` keeps LiteLLM's own price.
    const charged = overrides.cost !== undefined && overrides.pricing === undefined ? { pricing: "catalog" as const } : {};
    const resolved = deploymentEntries
      ? groupedModel(i, base, overrides, charged, deploymentEntries, problems)
      : singleUpstreamModel(i, base, { ...overrides, ...charged }, problems);
    if (!resolved) return;
    if (resolved.maxTokens > resolved.contextWindow) {
      problems.push({ path: `${path}.maxTokens`, message: `${resolved.maxTokens} exceeds the context window (${resolved.contextWindow})` });
    }
    const earlier = models.findIndex((m) => m.id === resolved.id);
    if (earlier !== -1) {
      problems.push({ path: `${path}.id`, message: `duplicate model id "${resolved.id}" (also models[${earlier}])` });
    }
    models.push(resolved);
  });
  return { models: problems.length === before ? models : undefined, declaredIds };
}

/** A model without `deployments`: its own upstream fields (or its preset's) make its one deployment. */
function singleUpstreamModel(index: number, base: object, fields: object, problems: ConfigProblem[]): Model | undefined {
  const path = `models[${index}]`;
  const parsed = singleUpstreamModelSchema.safeParse({ ...base, ...fields });
  if (!parsed.success) {
    problems.push(...zodProblems(parsed.error, ["models", index], singleUpstreamModelSchema));
    return undefined;
  }
  const { model, apiKeyEnv, credentialsEnv, apiBase, mockResponse, pricing, rpm, ...face } = parsed.data;
  if (pricing === "catalog" && !face.cost) problems.push({ path: `${path}.pricing`, message: '"catalog" needs a cost for the model' });
  const deployment = { model, apiKeyEnv, credentialsEnv, apiBase, mockResponse, cost: face.cost, pricing, rpm };
  return { ...face, deployments: [withoutUndefined(deployment)] };
}

/**
 * A model with `deployments`: the model keeps what OpenClaw sees, each deployment says where a
 * request may go. A deployment charges its own cost, else the model's when the entry wrote one.
 */
function groupedModel(
  index: number,
  base: object,
  overrides: Record<string, unknown>,
  charged: { pricing?: "catalog" },
  entries: readonly z.output<typeof deploymentEntrySchema>[],
  problems: ConfigProblem[],
): Model | undefined {
  const path = `models[${index}]`;
  const before = problems.length;
  for (const field of UPSTREAM_FIELDS) {
    if (overrides[field] !== undefined) {
      problems.push({ path: `${path}.${field}`, message: "set it on each of the model's deployments: a model with deployments takes where its requests go from them" });
    }
  }
  // The preset's upstream is replaced by the deployments; its face (name, window, cost) stays.
  const face = Object.fromEntries(Object.entries({ ...base, ...overrides }).filter(([key]) => !(UPSTREAM_FIELDS as readonly string[]).includes(key) && key !== "pricing"));
  const modelPricing = (overrides.pricing as "litellm" | "catalog" | undefined) ?? charged.pricing;
  const deployments = entries.map((entry, j) => {
    const { id, cost, pricing, ...upstream } = entry;
    const resolvedPricing = pricing ?? (cost !== undefined ? "catalog" : (modelPricing ?? "litellm"));
    const resolvedCost = cost ?? (face.cost as Model["cost"]);
    if (resolvedPricing === "catalog" && !resolvedCost) {
      problems.push({ path: `${path}.deployments[${j}].pricing`, message: '"catalog" needs a cost (on the deployment or the model)' });
    }
    return withoutUndefined({ id: `${String(face.id)}.${id ?? j + 1}`, ...upstream, cost: resolvedCost, pricing: resolvedPricing });
  });
  const ids = deployments.map((d) => d.id);
  ids.forEach((id, j) => {
    const earlier = ids.indexOf(id);
    if (earlier !== j) problems.push({ path: `${path}.deployments[${j}].id`, message: `duplicate deployment id "${id}" (also deployments[${earlier}])` });
  });
  const parsed = resolvedModelSchema.safeParse({ ...face, deployments });
  if (!parsed.success) {
    problems.push(...zodProblems(parsed.error, ["models", index], resolvedModelSchema));
    return undefined;
  }
  return problems.length === before ? parsed.data : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** zod issues -> problems with dotted paths and messages a user can act on. */
/** @param schema what was parsed at `prefix`: it names the keys a misspelt one may have meant */
function zodProblems(error: z.ZodError, prefix: PropertyKey[], schema: z.ZodType): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    const segments = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, issue.path);
      return issue.keys.map((key) => {
        const meant = closestKey(key, known);
        return { path: formatPath([...segments, key]), message: meant ? `unknown key (did you mean "${meant}"?)` : "unknown key" };
      });
    }
    const missing = issue.code === "invalid_type" && /received undefined/.test(issue.message);
    // A quoted number (maxBudget: "50", a YAML habit) or a currency sign: say how to write it.
    const quotedNumber = issue.code === "invalid_type" && issue.expected === "number" && /received string/.test(issue.message);
    // A record key's own message ("must be a LiteLLM parameter name") rather than zod's "Invalid key in record".
    const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    const shown = missing ? "is required" : quotedNumber ? 'must be a number, not text: no quotes, no currency sign (50, not "50" or $50)' : message;
    return [{ path: formatPath(segments), message: shown }];
  });
}

function formatPath(segments: PropertyKey[]): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
    .join("");
}
