/**
 * What one container is, independent of who creates it. The constructs render a ContainerSpec into a
 * `docker_container` resource; the end-to-end suite hands the same spec to the Docker Engine API. So
 * the suite runs what the stack defines, not a copy of it.
 */
export interface HealthcheckSpec {
  /** Exec form, e.g. ["CMD", "pg_isready", ...]. */
  readonly test: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly startPeriodSeconds: number;
  /**
   * Probe interval during the start period. Only for Docker Engine 25+ (API 1.44): the provider's
   * client refuses to create a container with it on older engines.
   * @default - intervalSeconds throughout
   */
  readonly startIntervalSeconds?: number;
  readonly retries: number;
}

export interface UploadSpec {
  /** Absolute path inside the container. */
  readonly path: string;
  readonly content: string;
}

export interface PublishedPortSpec {
  readonly internal: number;
  readonly external: number;
  /** Host address the port is bound to. */
  readonly ip: string;
}

export interface ContainerSpec {
  /** Container name, unique on the Docker host. */
  readonly name: string;
  readonly image: string;
  /** Environment; values may be Terraform tokens when rendered by a construct. */
  readonly env: Readonly<Record<string, string>>;
  readonly command: readonly string[];
  /**
   * The image's ENTRYPOINT (followed by its default CMD when `command` is empty). Renderers that
   * must start the process themselves (the swarm profile wraps it to read secrets from files) use it.
   * @default - none: `command` is the whole process
   */
  readonly entrypoint?: readonly string[];
  /**
   * Names of `env` entries that hold secrets. Renderers that can keep them out of the service's
   * definition (swarm secrets, mounted as files) do.
   * @default - none
   */
  readonly secretEnv?: readonly string[];
  /**
   * The user the process runs as.
   * @default - the image's own
   */
  readonly user?: string;
  readonly uploads: readonly UploadSpec[];
  readonly healthcheck: HealthcheckSpec;
  /** The private network and the names other containers reach this one by. */
  readonly network: { readonly name: string; readonly aliases: readonly string[] };
  /** Named volume -> mount path. */
  readonly volumes: readonly { readonly volumeName: string; readonly containerPath: string }[];
  readonly ports: readonly PublishedPortSpec[];
  readonly labels: Readonly<Record<string, string>>;
  readonly restart: "no" | "on-failure" | "always" | "unless-stopped";
  /**
   * Hard memory limit in MiB, swap included (renderers set memory+swap to the same value).
   * @default - no limit
   */
  readonly memoryMb?: number;
  /** Seconds a stop (or destroy) waits for a clean shutdown before killing. */
  readonly stopGraceSeconds: number;
  /** How long creation waits for the healthcheck to pass. */
  readonly healthyTimeoutSeconds: number;
}

/** `KEY=VALUE` lines in a stable order, the form both Terraform and the Engine API take. */
export function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key]}`);
}
