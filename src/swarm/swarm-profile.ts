import { Network } from "@cdktf/provider-docker/lib/network";
import type { Construct } from "constructs";
import type { ProfileProps, ProfileResources } from "../specs/profile";
import { addDataVolume } from "../terraform/data-volume";
import { resourceNames, stackLabels } from "../specs/service-specs";
import { terraformLiteral as literal } from "../terraform/terraform-literal";
import { SwarmService } from "./swarm-service";
import { swarmServiceSpecs } from "./swarm-specs";

/**
 * The swarm profile: the same services as swarm services on an overlay network. Postgres stays on
 * one node with its volume, a one-task service migrates the database, Redis holds the replicas'
 * shared state, LiteLLM runs as N replicas, and HAProxy publishes the port on every node. Each is
 * created or rolled out only once what it needs has converged.
 */
export function addSwarmProfile(stack: Construct, props: ProfileProps): ProfileResources {
  const { config } = props;
  const names = resourceNames(config.name);
  const services = swarmServiceSpecs(config, props.secrets);
  const network = new Network(stack, "network", {
    name: literal(names.network),
    driver: "overlay",
    labels: Object.entries(stackLabels(config, "network")).map(([label, value]) => ({ label: literal(label), value: literal(value) })),
  });

  const postgres = services.postgres
    ? new SwarmService(stack, "postgres", {
        spec: services.postgres,
        network,
        volumes: { [names.volume]: addDataVolume(stack, props) },
      })
    : undefined;
  const migrations = services.migrations
    ? new SwarmService(stack, "migrations", { spec: services.migrations, network, dependsOn: postgres ? [postgres.service] : undefined })
    : undefined;
  const redis = services.redis ? new SwarmService(stack, "redis", { spec: services.redis, network }) : undefined;
  const before = [migrations, redis].filter((s): s is SwarmService => s !== undefined).map((s) => s.service);
  const litellm = new SwarmService(stack, "litellm", {
    spec: services.litellm,
    network,
    dependsOn: before.length > 0 ? before : undefined,
  });
  const loadBalancer = new SwarmService(stack, "load-balancer", { spec: services.loadBalancer, network, dependsOn: [litellm.service] });
  return { proxy: loadBalancer.service, database: postgres?.service };
}
