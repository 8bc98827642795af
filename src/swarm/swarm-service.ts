import { Config } from "@cdktf/provider-docker/lib/config";
import type { Network } from "@cdktf/provider-docker/lib/network";
import { Secret } from "@cdktf/provider-docker/lib/secret";
import { Service } from "@cdktf/provider-docker/lib/service";
import type { Volume } from "@cdktf/provider-docker/lib/volume";
import { Fn, type ITerraformDependable, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { serviceDuration as duration, terraformLiteral as literal } from "../terraform/terraform-literal";
import { configObjectName, SECRETS_DIR, secretHashInput, secretObjectName, type ServiceSpec } from "./service-spec";

export interface SwarmServiceProps {
  /** What to run: image, environment, secrets, files, healthcheck, replicas, update policy. */
  readonly spec: ServiceSpec;
  /** The stack's overlay network; the spec's aliases are registered on it. */
  readonly network: Network;
  /**
   * The Docker volumes the spec mounts, by volume name.
   * @default - no volumes
   */
  readonly volumes?: Readonly<Record<string, Volume>>;
  /**
   * Services that must have converged (every task healthy) before this one is created or updated.
   * @default - only the implicit network, volume, config and secret dependencies
   */
  readonly dependsOn?: ITerraformDependable[];
}

const labelsOf = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels).map(([label, value]) => ({ label: literal(label), value: literal(value) }));

/**
 * One swarm service: renders a ServiceSpec into a `docker_service`, its files into `docker_config`s
 * and its secrets into `docker_secret`s. Configs and secrets are immutable, so their names carry a
 * hash of their content (a secret's is computed by Terraform: its value never reaches cdktf.out/),
 * a change creates new ones before the service rolls over to them, and the old ones go after.
 *
 * @example
 * new SwarmService(this, "litellm", { spec: services.litellm, network });
 */
export class SwarmService extends Construct {
  readonly service: Service;

  constructor(scope: Construct, id: string, props: SwarmServiceProps) {
    super(scope, id);
    const { spec } = props;
    const labels = labelsOf(spec.labels);

    const configs = spec.configs.map((file, i) => {
      const config = new Config(this, `config-${i}`, {
        name: literal(configObjectName(spec, file)),
        data: Buffer.from(file.content).toString("base64"),
        lifecycle: { createBeforeDestroy: true },
      });
      return { configId: config.id, configName: config.name, fileName: literal(file.path), fileUid: "0", fileGid: "0", fileMode: 0o444 };
    });
    const secrets = spec.secrets.map(({ envName, value }) => {
      const id = `secret-${envName.toLowerCase()}`;
      // A local first: cdktf 0.21 mis-renders a function call around another one (the value's coalesce).
      const local = new TerraformLocal(this, `${id}-value`, value);
      const hash = Fn.substr(Fn.sha256(Fn.join("", [literal(secretHashInput(spec, envName)), local.asString])), 0, 12);
      const secret = new Secret(this, id, {
        name: secretObjectName(spec, envName, hash),
        // The newline keeps an unset credential a non-empty secret (swarm refuses empty ones); the
        // wrapper's $(cat) drops it again.
        data: Fn.base64encode(Fn.join("", [local.asString, "\n"])),
        labels,
        lifecycle: { createBeforeDestroy: true },
      });
      const fileName = literal(`${SECRETS_DIR}/${envName}`);
      return { secretId: secret.id, secretName: secret.name, fileName, fileUid: "0", fileGid: "0", fileMode: 0o444 };
    });

    const { healthcheck } = spec;
    const replicated = spec.mode !== "global";
    this.service = new Service(this, "service", {
      name: literal(spec.name),
      labels,
      mode: replicated ? { replicated: { replicas: spec.mode.replicas } } : { global: true },
      taskSpec: {
        containerSpec: {
          image: literal(spec.image),
          command: spec.command.map(literal),
          env: Object.fromEntries(Object.entries(spec.env).map(([name, value]) => [literal(name), literal(value)])),
          user: spec.user ? literal(spec.user) : undefined,
          labels,
          configs,
          secrets,
          healthcheck: {
            test: healthcheck.test.map(literal),
            interval: duration(healthcheck.intervalSeconds),
            timeout: duration(healthcheck.timeoutSeconds),
            startPeriod: duration(healthcheck.startPeriodSeconds),
            retries: healthcheck.retries,
          },
          mounts: spec.volumes.map((v) => {
            const volume = props.volumes?.[v.volumeName];
            if (!volume) throw new Error(`${spec.name}: no Volume construct given for "${v.volumeName}"`);
            return { type: "volume", source: volume.name, target: literal(v.containerPath) };
          }),
          stopGracePeriod: duration(spec.stopGraceSeconds),
        },
        networksAdvanced: [{ name: props.network.id, aliases: spec.network.aliases.map(literal) }],
        placement: spec.placementConstraints.length > 0 ? { constraints: spec.placementConstraints.map(literal) } : undefined,
        restartPolicy: { condition: spec.restart.condition, delay: duration(spec.restart.delaySeconds), maxAttempts: 0, window: "0s" },
        resources: spec.memoryMb ? { limits: { memoryBytes: spec.memoryMb * 1024 * 1024 } } : undefined,
      },
      endpointSpec: {
        mode: spec.endpointMode,
        ports: spec.ports.map((p) => ({ targetPort: p.internal, publishedPort: p.external, publishMode: "host", protocol: "tcp" })),
      },
      updateConfig: policy(spec.update),
      // A rollback goes back the same way, one task at a time.
      rollbackConfig: { ...policy(spec.update), failureAction: "pause" },
      // Terraform waits until every task is healthy (the provider cannot wait on a global service).
      convergeConfig: replicated ? { delay: "5s", timeout: duration(spec.convergeTimeoutSeconds) } : undefined,
      dependsOn: props.dependsOn,
    });
  }
}

function policy(update: ServiceSpec["update"]) {
  return {
    order: update.order,
    parallelism: update.parallelism,
    delay: "0s",
    monitor: duration(update.monitorSeconds),
    maxFailureRatio: "0.0",
    failureAction: update.failureAction,
  };
}
