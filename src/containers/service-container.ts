import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import type { Network } from "@cdktf/provider-docker/lib/network";
import type { Volume } from "@cdktf/provider-docker/lib/volume";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { type ContainerSpec, envList } from "../specs/container-spec";
import { goDuration, terraformLiteral as literal } from "../terraform/terraform-literal";

export interface ServiceContainerProps {
  /** What to run: name, image, environment, files, healthcheck, ports, labels. */
  readonly spec: ContainerSpec;
  /** The stack's private network; the spec's aliases are registered on it. */
  readonly network: Network;
  /**
   * The Docker volumes the spec mounts, by volume name.
   * @default - no volumes
   */
  readonly volumes?: Readonly<Record<string, Volume>>;
  /**
   * Resources that must exist (and, for containers, be healthy) before this one is created.
   * @default - only the implicit network and volume dependencies
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One long-running service: renders a ContainerSpec into a `docker_container` that Terraform
 * creates only once its healthcheck passes (`wait`), so a dependent container starts after it.
 *
 * @example
 * new ServiceContainer(this, "postgres", { spec: postgresSpec(config, secrets), network });
 */
export class ServiceContainer extends Construct {
  readonly container: Container;

  constructor(scope: Construct, id: string, props: ServiceContainerProps) {
    super(scope, id);
    const { spec } = props;
    // Kept on destroy: an image is a cache shared by every stack on the host, not stack state.
    const image = new Image(this, "image", { name: spec.image, keepLocally: true });
    // Every string is escaped (Terraform would evaluate `${...}` in it); durations are in the form
    // the provider reads back, and swap equals memory, so a plan after a deploy shows no change.
    const { healthcheck } = spec;
    this.container = new Container(this, "container", {
      name: literal(spec.name),
      image: image.imageId,
      env: envList(spec.env).map(literal),
      command: spec.command.length > 0 ? spec.command.map(literal) : undefined,
      user: spec.user ? literal(spec.user) : undefined,
      upload: spec.uploads.map((u) => ({ file: literal(u.path), content: literal(u.content) })),
      healthcheck: {
        test: healthcheck.test.map(literal),
        interval: goDuration(healthcheck.intervalSeconds),
        timeout: goDuration(healthcheck.timeoutSeconds),
        startPeriod: goDuration(healthcheck.startPeriodSeconds),
        startInterval: goDuration(healthcheck.startIntervalSeconds ?? 0),
        retries: healthcheck.retries,
      },
      wait: true,
      waitTimeout: spec.healthyTimeoutSeconds,
      networksAdvanced: [{ name: props.network.name, aliases: spec.network.aliases.map(literal) }],
      volumes: spec.volumes.map((v) => {
        const volume = props.volumes?.[v.volumeName];
        if (!volume) throw new Error(`${spec.name}: no Volume construct given for "${v.volumeName}"`);
        return { volumeName: volume.name, containerPath: literal(v.containerPath) };
      }),
      ports: spec.ports.map((p) => ({ internal: p.internal, external: p.external, ip: literal(p.ip) })),
      labels: Object.entries(spec.labels).map(([label, value]) => ({ label: literal(label), value: literal(value) })),
      restart: spec.restart,
      memory: spec.memoryMb,
      memorySwap: spec.memoryMb,
      destroyGraceSeconds: spec.stopGraceSeconds,
      stopTimeout: spec.stopGraceSeconds,
      dependsOn: props.dependsOn,
    });
  }
}
