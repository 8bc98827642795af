import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Fn, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { KubernetesSettings } from "../catalog/validate";
import type { ProfileProps, ProfileResources } from "../specs/profile";
import type { Component } from "../specs/service-specs";
import { addDataProtectionMarker } from "../terraform/data-volume";
import { terraformLiteral as literal } from "../terraform/terraform-literal";
import { KUBERNETES_NAMES as NAMES, kubernetesLabels, migrationJobName, podSelector, URL_ANNOTATION } from "./kubernetes-names";
import { kubernetesPods, type PodContainer } from "./pod-specs";

/**
 * The kubernetes profile: a namespace the stack owns, one Secret and one ConfigMap, Postgres on a
 * claim, LiteLLM's migrations as a Job run to completion before LiteLLM rolls, Redis when more than
 * one process serves, and LiteLLM as a Deployment behind a Service (with a disruption budget from
 * two replicas). Every wait has an explicit timeout; nothing waits for a claim to bind before its pod.
 */
export function addKubernetesProfile(stack: Construct, props: ProfileProps): ProfileResources {
  const { config } = props;
  const settings = config.kubernetes;
  if (!settings) throw new Error("the kubernetes profile needs a configuration with profile: kubernetes");
  new KubernetesProvider(stack, "kubernetes", {
    configPath: settings.configPath,
    configContext: settings.context,
  });
  const pods = kubernetesPods(config, props.secrets);
  const startTimeout = `${config.litellm.startTimeoutSeconds}s`;

  const namespace = new NamespaceV1(stack, "namespace", {
    metadata: { name: settings.namespace, labels: kubernetesLabels(config, "namespace") },
  });
  const ns = namespace.metadata.name;
  const metadata = (name: string, component: Component) => ({ name, namespace: ns, labels: kubernetesLabels(config, component) });

  const secret = new SecretV1(stack, "secret", { metadata: metadata(NAMES.secret, "litellm"), data: pods.secretData });
  const configMap = new ConfigMapV1(stack, "config", { metadata: metadata(NAMES.config, "litellm"), data: { "config.yaml": literal(pods.configYaml) } });

  const before: ITerraformDependable[] = [secret, configMap];
  let database: DeploymentV1 | undefined;
  if (pods.postgres && pods.migrations) {
    const claim = new PersistentVolumeClaimV1(stack, "postgres-data", {
      metadata: metadata(NAMES.volume, "volume"),
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: settings.storageClass,
        resources: { requests: { storage: settings.storageSize } },
      },
      // A WaitForFirstConsumer class binds only once the pod exists: waiting here would deadlock.
      waitUntilBound: false,
      lifecycle: { preventDestroy: config.database.keepDataOnDestroy && !props.allowDataDeletion },
    });
    // Deleting the namespace deletes the claim in it: both hold the data.
    if (config.database.keepDataOnDestroy) addDataProtectionMarker(stack, [claim, namespace]);
    database = deployment(stack, "postgres", {
      metadata: metadata(NAMES.postgres, "postgres"),
      selector: podSelector(config, "postgres"),
      container: pods.postgres,
      // One server on one volume: the old pod stops before the new one starts.
      strategy: { type: "Recreate" },
      volume: [{ name: "data", persistentVolumeClaim: { claimName: claim.metadata.name } }],
      graceSeconds: 30,
      timeout: "10m",
      dependsOn: [secret],
    });
    service(stack, "postgres-service", metadata(NAMES.postgres, "postgres"), podSelector(config, "postgres"), { port: 5432, targetPort: "postgres" });
    const migrations = new JobV1(stack, "migrations", {
      metadata: metadata(migrationJobName(config.litellm.image), "migrations"),
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: config.litellm.startTimeoutSeconds,
        template: {
          metadata: { labels: podSelector(config, "migrations") },
          spec: { container: [pods.migrations], restartPolicy: "Never" },
        },
      },
      waitForCompletion: true,
      // The provider's own default is one minute: too short for a first migration on a small node.
      timeouts: { create: startTimeout, update: startTimeout },
      dependsOn: [database],
    });
    before.push(migrations);
  }
  if (pods.redis) {
    const redis = deployment(stack, "redis", {
      metadata: metadata(NAMES.redis, "redis"),
      selector: podSelector(config, "redis"),
      container: pods.redis,
      strategy: { type: "Recreate" },
      graceSeconds: 10,
      timeout: "5m",
      dependsOn: [secret],
    });
    service(stack, "redis-service", metadata(NAMES.redis, "redis"), podSelector(config, "redis"), { port: 6379, targetPort: "redis" });
    before.push(redis);
  }

  const litellm = deployment(stack, "litellm", {
    metadata: { ...metadata(NAMES.litellm, "litellm"), annotations: { [URL_ANNOTATION]: config.openclaw.baseUrl } },
    selector: podSelector(config, "litellm"),
    replicas: settings.replicas,
    container: pods.litellm,
    // One new pod at a time, ready before an old one leaves.
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "1", maxUnavailable: "0" } },
    annotations: {
      "litellm-stack.io/config-sha256": pods.configChecksum,
      // The secrets' values roll the pods too (an upstream key changed); only their hash is shown.
      "litellm-stack.io/secret-sha256": Fn.sha256(Fn.jsonencode(secret.data)),
    },
    volume: [{ name: "config", configMap: { name: configMap.metadata.name } }],
    graceSeconds: pods.litellmGraceSeconds,
    timeout: `${config.litellm.startTimeoutSeconds * settings.replicas}s`,
    dependsOn: before,
  });
  const proxyService = service(stack, "litellm-service", metadata(NAMES.litellm, "litellm"), podSelector(config, "litellm"), {
    port: config.litellm.port,
    targetPort: "http",
    type: settings.service.type,
    nodePort: settings.service.nodePort,
  });
  if (settings.replicas >= 2) {
    new PodDisruptionBudgetV1(stack, "litellm-budget", {
      metadata: metadata(NAMES.litellm, "litellm"),
      spec: { maxUnavailable: "1", selector: { matchLabels: podSelector(config, "litellm") } },
    });
  }
  litellm.node.addDependency(proxyService);
  return { proxy: litellm, database };
}

interface DeploymentProps {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly selector: Record<string, string>;
  readonly container: PodContainer;
  readonly strategy: { readonly type: "Recreate" | "RollingUpdate"; readonly rollingUpdate?: { readonly maxSurge: string; readonly maxUnavailable: string } };
  readonly replicas?: number;
  readonly annotations?: Record<string, string>;
  readonly volume?: object[];
  readonly graceSeconds: number;
  /** How long the provider waits for the rollout. */
  readonly timeout: string;
  readonly dependsOn: ITerraformDependable[];
}

function deployment(scope: Construct, id: string, props: DeploymentProps): DeploymentV1 {
  return new DeploymentV1(scope, id, {
    metadata: props.metadata,
    spec: {
      replicas: String(props.replicas ?? 1),
      selector: { matchLabels: props.selector },
      strategy: props.strategy,
      template: {
        metadata: { labels: { ...props.metadata.labels, ...props.selector }, annotations: props.annotations },
        spec: {
          container: [props.container],
          volume: props.volume,
          terminationGracePeriodSeconds: props.graceSeconds,
          // Nothing of the stack talks to the Kubernetes API.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
        },
      },
    },
    waitForRollout: true,
    timeouts: { create: props.timeout, update: props.timeout },
    dependsOn: props.dependsOn,
  });
}

function service(
  scope: Construct,
  id: string,
  metadata: DeploymentProps["metadata"],
  selector: Record<string, string>,
  port: { readonly port: number; readonly targetPort: string; readonly type?: KubernetesSettings["service"]["type"]; readonly nodePort?: number },
): ServiceV1 {
  return new ServiceV1(scope, id, {
    metadata,
    spec: {
      type: port.type ?? "ClusterIP",
      selector,
      port: [{ port: port.port, targetPort: port.targetPort, nodePort: port.nodePort }],
    },
  });
}
