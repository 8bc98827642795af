/**
 * One stack on a single-node swarm, deployed from the swarm profile's own ServiceSpecs (the specs
 * the SwarmProxy renders for Terraform), through the Engine API calls kreuzwerker/docker makes:
 * secrets and configs under hash-carrying names, then services in the stack's dependency order.
 */
import { spawnSync } from "node:child_process";
import type Docker from "dockerode";
import type { StackConfig } from "../../../src/catalog/validate";
import { LABEL_PREFIX, resourceNames, stackLabels, type StackSecrets } from "../../../src/specs/service-specs";
import { parseSwarmInfo, SWARM_INFO_FORMAT } from "../../../src/lifecycle/swarm-check";
import { configObjectName, secretObjectNameOf, type ServiceSpec } from "../../../src/swarm/service-spec";
import { type SwarmServices, swarmServiceSpecs } from "../../../src/swarm/swarm-specs";
import { testSecrets } from "./deployment";
import { docker, suiteLabels } from "./engine";
import { type LocalImages, mapImage } from "./images";
import { waitFor } from "./wait";

const NS = 1_000_000_000;

/**
 * Whether this engine is a swarm manager, asked as `npm run deploy` asks it; synchronously, since
 * the suite decides at load time what it can run.
 */
export function swarmManagerNow(): boolean {
  const result = spawnSync("docker", ["info", "--format", SWARM_INFO_FORMAT], { encoding: "utf8", timeout: 20_000 });
  const node = parseSwarmInfo(result.stdout ?? "");
  return result.status === 0 && node.state === "active" && node.isManager;
}

/** The order Terraform creates them in (each depends on the ones before). */
function inOrder(services: SwarmServices): ServiceSpec[] {
  return [services.postgres, services.migrations, services.redis, services.litellm, services.loadBalancer].filter(
    (s): s is ServiceSpec => s !== undefined
  );
}

export interface ServiceState {
  readonly updateState?: string;
  readonly updateStartedAt?: number;
  readonly running: number;
}

export class SwarmDeployment {
  readonly names: ReturnType<typeof resourceNames>;
  readonly labelFilter: string;
  readonly secrets: StackSecrets = testSecrets();
  readonly baseUrl: string;
  private networkId?: string;
  /** What was last sent for each service. */
  private readonly applied = new Map<string, string>();

  constructor(public config: StackConfig, readonly images: LocalImages) {
    this.names = resourceNames(config.name);
    this.labelFilter = `${LABEL_PREFIX}.stack=${config.name}`;
    this.baseUrl = `http://127.0.0.1:${config.litellm.port}`;
  }

  specs(config = this.config): SwarmServices {
    return swarmServiceSpecs(config, this.secrets);
  }

  /** Creates what is missing and updates what changed, waiting for each service to converge. */
  async deploy(config = this.config, options: { wait?: boolean } = {}): Promise<void> {
    this.config = config;
    this.networkId ??= await this.ensureNetwork();
    for (const spec of inOrder(this.specs(config))) {
      const updatedAt = await this.apply(spec);
      if (options.wait !== false) await this.waitConverged(spec, updatedAt);
    }
  }

  /**
   * Creates or updates one service (with its configs and secrets); nothing when its definition is
   * unchanged, as a Terraform plan with no change. Returns when an update was issued.
   */
  async apply(spec: ServiceSpec): Promise<number | undefined> {
    const options = await this.serviceOptions(spec);
    const existing = await this.service(spec.name);
    if (!existing) {
      await docker.createService(options);
      this.applied.set(spec.name, JSON.stringify(options));
      return undefined;
    }
    if (this.applied.get(spec.name) === JSON.stringify(options)) return undefined;
    const info = await existing.inspect();
    const issuedAt = Date.now();
    await existing.update({ version: info.Version.Index, ...options });
    this.applied.set(spec.name, JSON.stringify(options));
    return issuedAt;
  }

  /** Replaces a service's tasks without changing its definition (`docker service update --force`). */
  async replaceTasks(spec: ServiceSpec): Promise<void> {
    const service = (await this.service(spec.name))!;
    const info = await service.inspect();
    const issuedAt = Date.now();
    const template = { ...info.Spec.TaskTemplate, ForceUpdate: (info.Spec.TaskTemplate.ForceUpdate ?? 0) + 1 };
    await service.update({ version: info.Version.Index, ...info.Spec, TaskTemplate: template });
    await this.waitConverged(spec, issuedAt);
  }

  async service(name: string): Promise<Docker.Service | undefined> {
    const [found] = await docker.listServices({ filters: { name: [name] } });
    return found && found.Spec?.Name === name ? docker.getService(found.ID) : undefined;
  }

  async state(name: string): Promise<ServiceState> {
    const service = (await this.service(name))!;
    const info = await service.inspect();
    const tasks = await docker.listTasks({ filters: { service: [name], "desired-state": ["running"] } });
    return {
      updateState: info.UpdateStatus?.State,
      updateStartedAt: info.UpdateStatus?.StartedAt ? Date.parse(info.UpdateStatus.StartedAt) : undefined,
      running: tasks.filter((t: any) => t.Status?.State === "running").length,
    };
  }

  /**
   * Every task of the spec running (healthy: swarm reports a task running only then) and, after an
   * update issued at `updatedAt`, that update completed, as the provider's converge_config waits.
   */
  async waitConverged(spec: ServiceSpec, updatedAt?: number, timeoutMs = spec.convergeTimeoutSeconds * 1000): Promise<void> {
    const wanted = spec.mode === "global" ? 1 : spec.mode.replicas;
    await waitFor(`${spec.name}: ${wanted} healthy task(s)`, timeoutMs, async () => {
      const { updateState, updateStartedAt, running } = await this.state(spec.name);
      if (updatedAt !== undefined) {
        if (!(updateStartedAt !== undefined && updateStartedAt >= updatedAt - 2000)) return undefined;
        if (updateState?.startsWith("rollback")) throw new Error(`${spec.name}: the update was rolled back (${updateState})`);
      }
      const settled = updateState === undefined || updateState === "completed" || updateState === "rollback_completed";
      return (running === wanted && settled) || undefined;
    });
  }

  /** IPs of the LiteLLM tasks that run now. */
  async taskAddresses(name: string): Promise<string[]> {
    const tasks = await docker.listTasks({ filters: { service: [name], "desired-state": ["running"] } });
    return tasks
      .filter((t: any) => t.Status?.State === "running")
      .map((t: any) => String(t.NetworksAttachments?.[0]?.Addresses?.[0] ?? "").split("/")[0]);
  }

  /**
   * Removes every service, then (once their containers are gone) configs, secrets and the network.
   * As the provider's delete does, a task container still there after its grace is removed by force
   * (Engine 20.10 can leave one behind when a service goes while a task is being replaced).
   */
  async destroy(): Promise<void> {
    const filters = { label: [this.labelFilter] };
    for (const service of await docker.listServices({ filters })) await docker.getService(service.ID).remove();
    const taskContainers = async () => {
      const containers = await docker.listContainers({ all: true, filters: { label: ["com.docker.swarm.service.name"] } });
      return containers.filter((c) => c.Labels["com.docker.swarm.service.name"]?.startsWith(`${this.config.name}-`));
    };
    await waitFor(`${this.config.name}: task containers gone`, 60_000, async () =>
      (await taskContainers()).length === 0 ? true : undefined
    ).catch(async () => {
      for (const c of await taskContainers()) await docker.getContainer(c.Id).remove({ force: true });
    });
    for (const config of await docker.listConfigs({ filters })) await docker.getConfig(config.ID).remove();
    for (const secret of await docker.listSecrets({ filters })) await docker.getSecret(secret.ID).remove();
    for (const network of await docker.listNetworks({ filters })) {
      await waitFor(`network ${network.Name} removable`, 30_000, async () =>
        docker
          .getNetwork(network.Id)
          .remove()
          .then(() => true)
          .catch(() => undefined)
      );
    }
  }

  private async ensureNetwork(): Promise<string> {
    const [existing] = await docker.listNetworks({ filters: { name: [this.names.network] } });
    if (existing && existing.Name === this.names.network) return existing.Id;
    const network = await docker.createNetwork({
      Name: this.names.network,
      Driver: "overlay",
      Labels: { ...stackLabels(this.config, "network"), ...suiteLabels() },
    });
    return network.id;
  }

  private labels(spec: ServiceSpec) {
    return { ...spec.labels, ...suiteLabels() };
  }

  /** A config or secret by name, created if missing (both are immutable: a new value is a new name). */
  private async ensureObject(kind: "config" | "secret", name: string, data: string, labels: Record<string, string>): Promise<string> {
    const list =
      kind === "config" ? await docker.listConfigs({ filters: { name: [name] } }) : await docker.listSecrets({ filters: { name: [name] } });
    const found = (list as any[]).find((o) => o.Spec?.Name === name);
    if (found) return found.ID;
    const body = { Name: name, Data: Buffer.from(data).toString("base64"), Labels: labels };
    const created: any = kind === "config" ? await docker.createConfig(body) : await docker.createSecret(body);
    return created.id ?? created.ID;
  }

  private async serviceOptions(spec: ServiceSpec): Promise<any> {
    const labels = this.labels(spec);
    const file = (name: string) => ({ Name: name, UID: "0", GID: "0", Mode: 0o444 });
    const configs = [];
    for (const config of spec.configs) {
      const name = configObjectName(spec, config);
      const id = await this.ensureObject("config", name, config.content, labels);
      configs.push({ ConfigID: id, ConfigName: name, File: file(config.path) });
    }
    const secrets = [];
    for (const secret of spec.secrets) {
      const { envName, value } = secret;
      const name = secretObjectNameOf(spec, secret);
      const id = await this.ensureObject("secret", name, `${value}\n`, labels);
      secrets.push({ SecretID: id, SecretName: name, File: file(`/run/secrets/${envName}`) });
    }
    const policy = {
      Parallelism: spec.update.parallelism,
      Delay: 0,
      FailureAction: spec.update.failureAction,
      Monitor: spec.update.monitorSeconds * NS,
      MaxFailureRatio: 0,
      Order: spec.update.order,
    };
    const { healthcheck } = spec;
    return {
      Name: spec.name,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: mapImage(spec.image, this.images),
          Command: [...spec.command],
          Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
          User: spec.user,
          Labels: labels,
          Configs: configs,
          Secrets: secrets,
          Healthcheck: {
            Test: [...healthcheck.test],
            Interval: healthcheck.intervalSeconds * NS,
            Timeout: healthcheck.timeoutSeconds * NS,
            StartPeriod: healthcheck.startPeriodSeconds * NS,
            Retries: healthcheck.retries,
          },
          Mounts: spec.volumes.map((v) => ({ Type: "volume", Source: v.volumeName, Target: v.containerPath })),
          StopGracePeriod: spec.stopGraceSeconds * NS,
        },
        Networks: [{ Target: this.networkId, Aliases: [...spec.network.aliases] }],
        Placement: { Constraints: [...spec.placementConstraints] },
        RestartPolicy: { Condition: spec.restart.condition, Delay: spec.restart.delaySeconds * NS, MaxAttempts: 0 },
        Resources: spec.memoryMb ? { Limits: { MemoryBytes: spec.memoryMb * 1024 * 1024 } } : {},
      },
      Mode: spec.mode === "global" ? { Global: {} } : { Replicated: { Replicas: spec.mode.replicas } },
      UpdateConfig: policy,
      RollbackConfig: { ...policy, FailureAction: "pause" },
      EndpointSpec: {
        Mode: spec.endpointMode,
        Ports: spec.ports.map((p) => ({ Protocol: "tcp", TargetPort: p.internal, PublishedPort: p.external, PublishMode: "host" })),
      },
    };
  }
}
