/**
 * Before a swarm-profile deploy: the engine is a swarm manager, and it is the node the database is
 * pinned to (Terraform creates the data volume on the engine it talks to; Postgres must run there).
 */
import type { StackConfig } from "../catalog/validate";

export interface SwarmNodeInfo {
  /** `docker info` Swarm.LocalNodeState: active, inactive, pending, error, locked. */
  readonly state: string;
  readonly isManager: boolean;
  /** The node's hostname, as `docker node ls` shows it. */
  readonly hostname: string;
}

/** What `docker info --format` is asked for a SwarmNodeInfo. */
export const SWARM_INFO_FORMAT = "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Name}}";

/** The output of `docker info --format SWARM_INFO_FORMAT` -> SwarmNodeInfo. */
export function parseSwarmInfo(output: string): SwarmNodeInfo {
  const [state = "unknown", manager = "false", hostname = ""] = output.trim().split(/\s+/);
  return { state, isManager: manager === "true", hostname };
}

/** Why this engine cannot take the swarm profile's deploy, or undefined when it can. */
export function swarmDeployProblem(config: StackConfig, node: SwarmNodeInfo): string | undefined {
  if (config.profile !== "swarm") return undefined;
  if (node.state !== "active") {
    return `the swarm profile needs a swarm, and this engine's swarm state is "${node.state}": run \`docker swarm init\` on it (a single node is a swarm), or point DOCKER_HOST at a manager (ssh://user@manager)`;
  }
  if (!node.isManager)
    return `this engine (${node.hostname}) is a swarm worker: point DOCKER_HOST at a manager, where services are created`;
  const databaseNode = config.swarm?.databaseNode;
  if (config.database.enabled && databaseNode && databaseNode !== node.hostname) {
    return `swarm.databaseNode is "${databaseNode}" but the deploy talks to "${node.hostname}": the data volume is created on the engine the deploy talks to, so Postgres must be pinned to that node (set databaseNode: ${node.hostname}, or set DOCKER_HOST to ${databaseNode})`;
  }
  return undefined;
}
