/**
 * What one swarm service is, independent of who creates it: the SwarmProxy construct renders a
 * ServiceSpec into `docker_service` (+ `docker_config`, `docker_secret`); the end-to-end suite hands
 * the same spec to the Engine API. Built from the container profile's ContainerSpec, so both
 * profiles run the same images, environment, files and healthchecks.
 */
import { createHash } from "node:crypto";
import type { ContainerSpec, HealthcheckSpec } from "../specs/container-spec";
import { identityLabels } from "../specs/service-specs";

/** Where swarm mounts a service's secrets; each file is named after the variable it fills. */
export const SECRETS_DIR = "/run/secrets";

/** Swarm refuses config and secret names longer than this. */
export const SWARM_OBJECT_NAME_MAX = 64;
/** Hex characters of a content hash in a name (contentHash, and Terraform's substr(sha256(...), 0, 12)). */
const NAME_HASH_LENGTH = 12;

/** A swarm config: immutable, so its name carries a hash of its content. */
export interface ConfigFileSpec {
  /** Absolute path inside the container. */
  readonly path: string;
  readonly content: string;
  /** Short hash of the content, part of the config's name. */
  readonly contentHash: string;
}

/** A secret the process reads as an environment variable, delivered as a file. */
export interface SecretEnvSpec {
  readonly envName: string;
  /** The value; a Terraform token when rendered by the stack. */
  readonly value: string;
}

export interface UpdatePolicySpec {
  /** start-first: the new task is healthy before the old one stops (needs no fixed host port). */
  readonly order: "start-first" | "stop-first";
  readonly parallelism: number;
  /** How long a new task is watched after it started; a failure then triggers `failureAction`. */
  readonly monitorSeconds: number;
  readonly failureAction: "rollback" | "pause" | "continue";
}

export interface ServiceSpec {
  /** Service name, unique in the swarm. */
  readonly name: string;
  readonly image: string;
  /** Environment without the secrets. */
  readonly env: Readonly<Record<string, string>>;
  /** Secrets, mounted under SECRETS_DIR and exported by `command`'s wrapper. */
  readonly secrets: readonly SecretEnvSpec[];
  /** The whole process (it replaces the image's entrypoint). */
  readonly command: readonly string[];
  /** @default - the image's own */
  readonly user?: string;
  readonly configs: readonly ConfigFileSpec[];
  readonly healthcheck: HealthcheckSpec;
  readonly network: { readonly name: string; readonly aliases: readonly string[] };
  /** dnsrr: no virtual IP (swarm's VIP needs IPVS); `tasks.<name>` lists the healthy tasks. */
  readonly endpointMode: "dnsrr" | "vip";
  readonly volumes: readonly { readonly volumeName: string; readonly containerPath: string }[];
  /** Published in host mode on each node that runs a task (no routing mesh). */
  readonly ports: readonly { readonly internal: number; readonly external: number }[];
  readonly labels: Readonly<Record<string, string>>;
  /** A number of replicas, or one task on every node (`global`). */
  readonly mode: { readonly replicas: number } | "global";
  readonly placementConstraints: readonly string[];
  readonly update: UpdatePolicySpec;
  readonly restart: { readonly condition: "any" | "on-failure"; readonly delaySeconds: number };
  /** @default - no limit */
  readonly memoryMb?: number;
  /** Seconds a stopping task gets to finish what it serves before it is killed. */
  readonly stopGraceSeconds: number;
  /** How long a deploy waits for the service to converge (every task healthy). */
  readonly convergeTimeoutSeconds: number;
}

/** Options only services have; the rest comes from the ContainerSpec. */
export interface ServiceOptions {
  readonly mode: ServiceSpec["mode"];
  readonly endpointMode?: ServiceSpec["endpointMode"];
  readonly placementConstraints?: readonly string[];
  readonly update: UpdatePolicySpec;
  /** @default - the container's */
  readonly stopGraceSeconds?: number;
  /** @default - the container's healthy timeout */
  readonly convergeTimeoutSeconds?: number;
  /** Environment added to the container's (not secret). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** @default - the container's process */
  readonly command?: readonly string[];
  /** @default "any": a task that exits for any reason is replaced */
  readonly restartCondition?: ServiceSpec["restart"]["condition"];
  /** @default - the container's healthcheck */
  readonly healthcheck?: HealthcheckSpec;
  /** @default - the container's files */
  readonly withoutFiles?: boolean;
}

/**
 * Exports every file in SECRETS_DIR as the variable it is named after, then runs the process:
 * the values never appear in the service's definition (`docker service inspect`), only in the
 * process's own environment, as with the container profile.
 */
export const EXPORT_SECRETS = `for f in ${SECRETS_DIR}/*; do [ -f "$f" ] && export "\${f##*/}=$(cat "$f")"; done`;

export function withSecretsFromFiles(argv: readonly string[]): string[] {
  return ["sh", "-c", `${EXPORT_SECRETS}; exec "$@"`, "with-secrets", ...argv];
}

export function contentHash(content: string): string {
  return createHash("sha256").update(content).digest("hex").slice(0, NAME_HASH_LENGTH);
}

/** The container's process as one argv: its entrypoint, then its command (or the image's CMD). */
function processOf(spec: ContainerSpec): string[] {
  return [...(spec.entrypoint ?? []), ...spec.command];
}

/** A shell healthcheck sees the container's environment, not the wrapper's: it reads the files too. */
function healthcheckWithSecrets(healthcheck: HealthcheckSpec, hasSecrets: boolean): HealthcheckSpec {
  if (!hasSecrets || healthcheck.test[0] !== "CMD-SHELL") return healthcheck;
  return { ...healthcheck, test: ["CMD-SHELL", `${EXPORT_SECRETS}; ${healthcheck.test.slice(1).join(" ")}`] };
}

export function serviceFromContainer(spec: ContainerSpec, options: ServiceOptions): ServiceSpec {
  const secretNames = new Set(spec.secretEnv ?? []);
  const env = { ...spec.env, ...options.extraEnv };
  const secrets = Object.keys(env)
    .filter((name) => secretNames.has(name))
    .sort()
    .map((envName) => ({ envName, value: env[envName] }));
  const plainEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !secretNames.has(name)));
  const argv = options.command ?? processOf(spec);
  if (argv.length === 0) throw new Error(`${spec.name}: the swarm profile needs the image's entrypoint to start the process itself`);
  return {
    name: spec.name,
    image: spec.image,
    env: plainEnv,
    secrets,
    command: secrets.length > 0 ? withSecretsFromFiles(argv) : argv,
    ...(spec.user ? { user: spec.user } : {}),
    configs: (options.withoutFiles ? [] : spec.uploads).map((upload) => ({ ...upload, contentHash: contentHash(upload.content) })),
    healthcheck: healthcheckWithSecrets(options.healthcheck ?? spec.healthcheck, secrets.length > 0),
    network: spec.network,
    endpointMode: options.endpointMode ?? "dnsrr",
    volumes: spec.volumes,
    ports: spec.ports.map(({ internal, external }) => ({ internal, external })),
    // What changes (image, port, URL, healthcheck) is updated in place by swarm, never a label.
    labels: identityLabels(spec.labels),
    mode: options.mode,
    placementConstraints: options.placementConstraints ?? [],
    update: options.update,
    restart: { condition: options.restartCondition ?? "any", delaySeconds: 1 },
    ...(spec.memoryMb !== undefined ? { memoryMb: spec.memoryMb } : {}),
    stopGraceSeconds: options.stopGraceSeconds ?? spec.stopGraceSeconds,
    convergeTimeoutSeconds: options.convergeTimeoutSeconds ?? spec.healthyTimeoutSeconds,
  };
}


/** A readable prefix cut to fit, then the hash that makes the name unique and changes with the content. */
function objectName(readable: string, hash: string): string {
  // A fixed length, not hash.length: for the stack the hash is a Terraform token, longer in cdktf than its value.
  return `${readable.slice(0, SWARM_OBJECT_NAME_MAX - NAME_HASH_LENGTH - 1)}-${hash}`;
}

/** The name of a config object: immutable, so a changed file is a new object. */
export function configObjectName(service: ServiceSpec, config: ConfigFileSpec): string {
  const file = config.path
    .split("/")
    .pop()!
    .replace(/[^A-Za-z0-9_.-]/g, "-");
  return objectName(`${service.name}-${file}`, contentHash(`${service.name}\n${config.path}\n${config.contentHash}`));
}

/** What a secret's name hashes: the service and variable too, so a cut prefix never makes two names alike. */
export function secretHashInput(service: ServiceSpec, envName: string): string {
  // "labels-v2": secrets created before swarm objects dropped their changing labels get new names
  // once, so the one replacement that upgrade plans creates them beside the old ones, not over them.
  return `labels-v2:${service.name}/${envName}=`;
}

/**
 * The name of a secret object, from the hash of secretHashInput + its value (computed by Terraform
 * for the stack, so the value never passes through the synthesized files).
 */
export function secretObjectName(service: ServiceSpec, envName: string, hash: string): string {
  return objectName(`${service.name}-${envName.toLowerCase().replace(/_/g, "-")}`, hash);
}

/** The same name computed here from a plain value, as Terraform computes it from the variables. */
export function secretObjectNameOf(service: ServiceSpec, { envName, value }: SecretEnvSpec): string {
  return secretObjectName(service, envName, contentHash(secretHashInput(service, envName) + value));
}
