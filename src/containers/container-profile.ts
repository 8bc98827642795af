import { Network } from "@cdktf/provider-docker/lib/network";
import type { Construct } from "constructs";
import type { ProfileProps, ProfileResources } from "../specs/profile";
import { addDataVolume } from "../terraform/data-volume";
import { ServiceContainer } from "./service-container";
import { liteLLMSpec, postgresSpec, redisSpec, resourceNames, stackLabels } from "../specs/service-specs";
import { terraformLiteral as literal } from "../terraform/terraform-literal";

/**
 * The container profile: a private bridge network, Postgres with its volume, Redis when more than
 * one process serves, and LiteLLM, each one `docker_container` created once what it needs is
 * healthy. Added to the stack itself, so the resources keep the Terraform addresses of earlier
 * versions (a new address would replace every container).
 */
export function addContainerProfile(stack: Construct, props: ProfileProps): ProfileResources {
  const { config, secrets } = props;
  const names = resourceNames(config.name);
  const labels = Object.entries(stackLabels(config, "network")).map(([label, value]) => ({ label: literal(label), value: literal(value) }));
  // Not `internal`: kreuzwerker/docker recreates containers with published ports on internal networks (#319).
  const network = new Network(stack, "network", { name: literal(names.network), driver: "bridge", labels });

  const postgres = config.database.enabled
    ? new ServiceContainer(stack, "postgres", {
        spec: postgresSpec(config, secrets),
        network,
        volumes: { [names.volume]: addDataVolume(stack, props) },
      })
    : undefined;
  const redis = config.redis.enabled ? new ServiceContainer(stack, "redis", { spec: redisSpec(config, secrets), network }) : undefined;
  const dependencies = [postgres, redis].filter((c): c is ServiceContainer => c !== undefined).map((c) => c.container);
  const litellm = new ServiceContainer(stack, "litellm", {
    spec: liteLLMSpec(config, secrets),
    network,
    // Created only once Postgres (and Redis) are healthy: LiteLLM exits when its database is unreachable at start.
    dependsOn: dependencies.length > 0 ? dependencies : undefined,
  });
  return { proxy: litellm.container, database: postgres?.container };
}
