/**
 * Validated config + secret values -> the kubernetes profile's pods, from the same ContainerSpecs as
 * the other profiles (image, command, environment, secrets). What only Kubernetes has is decided
 * here: probes, rollout and drain, the migrations Job, secrets by reference. Pure: the structures
 * are the provider's blocks, handed to the constructs in kubernetes-profile.ts.
 */
import { createHash } from "node:crypto";
import { DATABASE_URL_ENV } from "../catalog/env-names";
import type { KubernetesSettings, StackConfig } from "../catalog/validate";
import type { ContainerSpec } from "../specs/container-spec";
import { LITELLM_CONFIG_PATH, LITELLM_OFFLINE_SWITCHES, LITELLM_PORT_IN_CONTAINER, liteLLMSpec, POSTGRES_DATA_PATH, postgresSpec, redisSpec, REDIS_PORT, type StackSecrets } from "../specs/service-specs";
import { KUBERNETES_NAMES } from "./kubernetes-names";

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

export interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string };
  readonly exec?: { readonly command: string[] };
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

/** A container block, as the provider's Deployment and Job take it. */
export interface PodContainer {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: "IfNotPresent";
  readonly command?: string[];
  readonly args?: string[];
  readonly env: EnvVar[];
  readonly port?: { readonly containerPort: number; readonly name: string }[];
  readonly startupProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly lifecycle?: { readonly preStop: { readonly exec: { readonly command: string[] } }[] };
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly volumeMount?: { readonly name: string; readonly mountPath: string; readonly subPath?: string; readonly readOnly?: boolean }[];
  readonly securityContext?: { readonly runAsUser: string };
}

export interface KubernetesPods {
  /** Secret environment variable -> value: the one Secret every pod refers to. */
  readonly secretData: Record<string, string>;
  /** The generated config.yaml, and its hash (a pod annotation: a catalog change rolls the pods). */
  readonly configYaml: string;
  readonly configChecksum: string;
  readonly litellm: PodContainer;
  /** Seconds a LiteLLM pod has to finish what it serves once told to stop. */
  readonly litellmGraceSeconds: number;
  readonly postgres?: PodContainer;
  readonly migrations?: PodContainer;
  readonly redis?: PodContainer;
}

/** Kubernetes' own 1 s probe timeout restarts a busy single-worker LiteLLM: every probe waits this long. */
export const PROBE_TIMEOUT_SECONDS = 5;
/** How long a stopping pod keeps serving after it left the Service's endpoints, so no request is sent to a closed port. */
export const DRAIN_SECONDS = 5;

function kubernetesSettings(config: StackConfig): KubernetesSettings {
  if (!config.kubernetes) throw new Error("the kubernetes pods need a configuration with profile: kubernetes");
  return config.kubernetes;
}

/** The spec's environment, its secrets by reference to the stack's Secret. */
export function envFrom(spec: Pick<ContainerSpec, "env" | "secretEnv">, extra: Readonly<Record<string, string>> = {}): EnvVar[] {
  const secret = new Set(spec.secretEnv ?? []);
  const env = { ...spec.env, ...extra };
  return Object.keys(env)
    .sort()
    .map((name) => (secret.has(name) ? { name, valueFrom: { secretKeyRef: { name: KUBERNETES_NAMES.secret, key: name } } } : { name, value: env[name] }));
}

function secretValues(spec: ContainerSpec): Record<string, string> {
  return Object.fromEntries((spec.secretEnv ?? []).map((name) => [name, spec.env[name]]));
}

/** A Docker healthcheck's command as an exec probe (CMD-SHELL through sh, as Docker runs it). */
function execCommand(test: readonly string[]): string[] {
  return test[0] === "CMD-SHELL" ? ["sh", "-c", test.slice(1).join(" ")] : test.slice(1);
}

const httpProbe = (path: string, periodSeconds: number, failureThreshold: number): Probe => ({
  httpGet: { path, port: "http" },
  periodSeconds,
  timeoutSeconds: PROBE_TIMEOUT_SECONDS,
  failureThreshold,
});

export function kubernetesPods(config: StackConfig, secrets: StackSecrets): KubernetesPods {
  const settings = kubernetesSettings(config);
  const litellm = liteLLMSpec(config, secrets);
  const postgres = config.database.enabled ? postgresSpec(config, secrets) : undefined;
  const redis = config.redis.enabled ? redisSpec(config, secrets) : undefined;
  const configYaml = litellm.uploads.find((upload) => upload.path === LITELLM_CONFIG_PATH)?.content ?? "";
  return {
    secretData: { ...(postgres ? secretValues(postgres) : {}), ...(redis ? secretValues(redis) : {}), ...secretValues(litellm) },
    configYaml,
    configChecksum: createHash("sha256").update(configYaml).digest("hex"),
    litellm: liteLLMContainer(config, litellm, settings),
    // A replaced pod finishes the requests it serves: the longest may take the router's whole timeout.
    litellmGraceSeconds: Math.ceil(config.router.timeoutSeconds) + DRAIN_SECONDS + 10,
    ...(postgres ? { postgres: postgresContainer(postgres), migrations: migrationsContainer(litellm) } : {}),
    ...(redis ? { redis: redisContainer(redis) } : {}),
  };
}

function liteLLMContainer(config: StackConfig, spec: ContainerSpec, settings: KubernetesSettings): PodContainer {
  const startTimeout = config.litellm.startTimeoutSeconds;
  return {
    name: "litellm",
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    command: [...(spec.entrypoint ?? [])],
    args: [...spec.command],
    // The migrations Job migrated before the rollout: replicas starting together must not race to do it again.
    env: envFrom(spec, config.database.enabled ? { DISABLE_SCHEMA_UPDATE: "true" } : {}),
    port: [{ containerPort: LITELLM_PORT_IN_CONTAINER, name: "http" }],
    // Liveliness answers without the database or the models; a first boot takes its time.
    startupProbe: httpProbe("/health/liveliness", 2, Math.ceil(startTimeout / 2)),
    livenessProbe: httpProbe("/health/liveliness", 15, 4),
    // 503 while the database is unreachable: the pod leaves the Service instead of failing requests.
    readinessProbe: httpProbe("/health/readiness", 5, 2),
    // Out of the Service's endpoints first, then SIGTERM: requests in flight finish, none arrive late.
    lifecycle: { preStop: [{ exec: { command: ["sleep", String(DRAIN_SECONDS)] } }] },
    resources: {
      requests: { cpu: settings.resources.cpu, memory: settings.resources.memory },
      limits: { memory: settings.resources.memory },
    },
    volumeMount: [{ name: "config", mountPath: LITELLM_CONFIG_PATH, subPath: "config.yaml", readOnly: true }],
  };
}

/**
 * LiteLLM's migrations, as a Job run to completion before the Deployment rolls: the same image and
 * database, nothing else of the stack's secrets, and no catalog (a catalog change never reruns it).
 */
function migrationsContainer(litellm: ContainerSpec): PodContainer {
  const env = { ...LITELLM_OFFLINE_SWITCHES, LITELLM_MODE: "PRODUCTION", [DATABASE_URL_ENV]: litellm.env[DATABASE_URL_ENV] };
  return {
    name: "migrate",
    image: litellm.image,
    imagePullPolicy: "IfNotPresent",
    command: ["litellm"],
    args: ["--skip_server_startup"],
    env: envFrom({ env, secretEnv: [DATABASE_URL_ENV] }),
  };
}

function postgresContainer(spec: ContainerSpec): PodContainer {
  const probe = (periodSeconds: number, failureThreshold: number): Probe => ({
    exec: { command: execCommand(spec.healthcheck.test) },
    periodSeconds,
    timeoutSeconds: PROBE_TIMEOUT_SECONDS,
    failureThreshold,
  });
  return {
    name: "postgres",
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    env: envFrom(spec),
    port: [{ containerPort: 5432, name: "postgres" }],
    startupProbe: probe(1, 120),
    readinessProbe: probe(5, 2),
    livenessProbe: probe(10, 6),
    // A subfolder of the volume: a fresh cloud disk's root holds lost+found, which initdb refuses,
    // and the image's entrypoint can take ownership of a folder of its own.
    volumeMount: [{ name: "data", mountPath: POSTGRES_DATA_PATH, subPath: "pgdata" }],
  };
}

function redisContainer(spec: ContainerSpec): PodContainer {
  return {
    name: "redis",
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    command: [...spec.command],
    env: envFrom(spec),
    port: [{ containerPort: REDIS_PORT, name: "redis" }],
    readinessProbe: { exec: { command: execCommand(spec.healthcheck.test) }, periodSeconds: 2, timeoutSeconds: PROBE_TIMEOUT_SECONDS, failureThreshold: 3 },
    // The official image's redis user; Kubernetes takes a number, not the name the Docker spec uses.
    securityContext: { runAsUser: "999" },
  };
}
