/**
 * Validated config + secret values -> the swarm profile's services. The same ContainerSpecs as the
 * container profile (images, environment, files, healthchecks), with what only services have:
 * replicas, update and rollback policy, placement, secrets as files, and a load balancer in front.
 */
import { DATABASE_URL_ENV } from "../catalog/env-names";
import type { StackConfig, SwarmSettings } from "../catalog/validate";
import type { ContainerSpec } from "../specs/container-spec";
import {
  LITELLM_PORT_IN_CONTAINER,
  liteLLMSpec,
  postgresSpec,
  redisSpec,
  resourceNames,
  stackLabels,
  type StackSecrets,
} from "../specs/service-specs";
import { renderHaproxyConfig, serverSlotsFor } from "../generate/haproxy-config";
import { serviceFromContainer, type ServiceSpec, type UpdatePolicySpec } from "./service-spec";

export const LOAD_BALANCER_CONFIG_PATH = "/usr/local/etc/litellm-stack/haproxy.cfg";
const MIGRATED_MARKER = "/tmp/litellm-migrated";

export interface SwarmServices {
  readonly postgres?: ServiceSpec;
  /** Runs LiteLLM's database migrations once per rollout; the replicas skip them. */
  readonly migrations?: ServiceSpec;
  readonly redis?: ServiceSpec;
  readonly litellm: ServiceSpec;
  readonly loadBalancer: ServiceSpec;
}

export function swarmNames(stackName: string) {
  return { ...resourceNames(stackName), migrations: `${stackName}-migrations`, loadBalancer: `${stackName}-lb` } as const;
}

/** One task at a time, the new one healthy before the old one stops, back to the old on failure. */
const ROLLING: UpdatePolicySpec = { order: "start-first", parallelism: 1, monitorSeconds: 15, failureAction: "rollback" };
/** For services that cannot run twice at once (a volume, a host port): stop, then start. */
const REPLACE: UpdatePolicySpec = { order: "stop-first", parallelism: 1, monitorSeconds: 15, failureAction: "rollback" };

function swarmSettings(config: StackConfig): SwarmSettings {
  if (!config.swarm) throw new Error("the swarm services need a configuration with profile: swarm");
  return config.swarm;
}

export function swarmServiceSpecs(config: StackConfig, secrets: StackSecrets): SwarmServices {
  const swarm = swarmSettings(config);
  const litellmContainer = liteLLMSpec(config, secrets);
  return {
    ...(config.database.enabled
      ? { postgres: postgresService(config, secrets, swarm), migrations: migrationsService(config, litellmContainer) }
      : {}),
    ...(config.redis.enabled
      ? { redis: serviceFromContainer(redisSpec(config, secrets), { mode: { replicas: 1 }, update: REPLACE }) }
      : {}),
    litellm: liteLLMService(config, litellmContainer, swarm),
    loadBalancer: loadBalancerService(config, swarm),
  };
}

function postgresService(config: StackConfig, secrets: StackSecrets, swarm: SwarmSettings): ServiceSpec {
  return serviceFromContainer(postgresSpec(config, secrets), {
    mode: { replicas: 1 },
    // The volume is local to one node: the database never moves, even if that node goes down.
    placementConstraints: swarm.databaseNode ? [`node.hostname == ${swarm.databaseNode}`] : [],
    update: REPLACE,
  });
}

/**
 * LiteLLM's migrations, run once: one task with the replicas' image and environment that migrates
 * (`litellm --skip_server_startup`, as LiteLLM's Helm chart does in a job) and then idles, healthy,
 * so the deploy waits for it before rolling out the replicas, which start with DISABLE_SCHEMA_UPDATE.
 * A new image replaces this task first; the migration then runs exactly once for the rollout.
 */
function migrationsService(config: StackConfig, litellm: ContainerSpec): ServiceSpec {
  const names = swarmNames(config.name);
  const migrate = [
    `litellm --skip_server_startup && touch ${MIGRATED_MARKER} || exit 1`,
    // Idle until stopped; a shell as PID 1 would otherwise ignore SIGTERM and wait for the kill.
    `trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done`,
  ].join("\n");
  // Of the secrets, migrations need the database's address only.
  const secretEnv = new Set(litellm.secretEnv ?? []);
  const env = Object.fromEntries(Object.entries(litellm.env).filter(([name]) => !secretEnv.has(name) || name === DATABASE_URL_ENV));
  const service = serviceFromContainer(
    { ...litellm, name: names.migrations, env, labels: stackLabels(config, "migrations") },
    {
      mode: { replicas: 1 },
      update: REPLACE,
      restartCondition: "on-failure",
      command: ["sh", "-c", migrate],
      withoutFiles: true,
      healthcheck: {
        test: ["CMD-SHELL", `test -f ${MIGRATED_MARKER}`],
        intervalSeconds: 2,
        timeoutSeconds: 3,
        // Migrations of a large spend database take minutes.
        startPeriodSeconds: 900,
        retries: 3,
      },
      convergeTimeoutSeconds: 900,
      stopGraceSeconds: 10,
    }
  );
  return { ...service, network: { ...service.network, aliases: [] }, ports: [] };
}

function liteLLMService(config: StackConfig, litellm: ContainerSpec, swarm: SwarmSettings): ServiceSpec {
  const service = serviceFromContainer(litellm, {
    mode: { replicas: swarm.replicas },
    update: ROLLING,
    // The migrations task migrated; replicas starting together must not race to do it again.
    extraEnv: config.database.enabled ? { DISABLE_SCHEMA_UPDATE: "true" } : {},
    // A replica being replaced finishes the requests it serves: the longest one may take the
    // router's whole timeout (the load balancer has already stopped sending it new ones).
    stopGraceSeconds: Math.ceil(config.router.timeoutSeconds) + 10,
    convergeTimeoutSeconds: litellm.healthyTimeoutSeconds * swarm.replicas,
  });
  // Reached through the load balancer only; the port is the load balancer's.
  return { ...service, ports: [] };
}

function loadBalancerService(config: StackConfig, swarm: SwarmSettings): ServiceSpec {
  const names = swarmNames(config.name);
  const listenPort = LITELLM_PORT_IN_CONTAINER;
  const container: ContainerSpec = {
    name: names.loadBalancer,
    image: swarm.loadBalancerImage,
    env: {},
    // The same process in the official image and Debian's package: master-worker, in the foreground.
    command: ["haproxy", "-W", "-db", "-f", LOAD_BALANCER_CONFIG_PATH],
    uploads: [
      {
        path: LOAD_BALANCER_CONFIG_PATH,
        content: renderHaproxyConfig({
          upstreamService: names.litellm,
          upstreamPort: LITELLM_PORT_IN_CONTAINER,
          listenPort,
          requestTimeoutSeconds: config.router.timeoutSeconds,
          serverSlots: serverSlotsFor(swarm.replicas),
        }),
      },
    ],
    healthcheck: {
      // Neither image has curl or wget; bash can open a TCP connection.
      test: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${listenPort}`],
      intervalSeconds: 2,
      timeoutSeconds: 3,
      startPeriodSeconds: 10,
      retries: 3,
    },
    network: { name: names.network, aliases: [] },
    volumes: [],
    ports: [{ internal: listenPort, external: config.litellm.port, ip: "0.0.0.0" }],
    // Identity only (a changed label replaces a service): `npm run stacks` reads the port this task publishes.
    labels: stackLabels(config, "load-balancer"),
    restart: "unless-stopped",
    memoryMb: 256,
    stopGraceSeconds: 10,
    healthyTimeoutSeconds: 120,
  };
  // One task on every node, each publishing the port: any node of the swarm is an entry point.
  // A host port cannot be held twice on one node, so an update replaces the task (~1 s without it).
  return serviceFromContainer(container, { mode: "global", update: REPLACE });
}
