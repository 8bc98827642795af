/** The stacks deployed to a Kubernetes cluster, read from their LiteLLM Deployments' labels. */
import { COMPONENT_LABEL, EXPERIMENT_LABEL, STACK_LABEL, URL_ANNOTATION } from "../kubernetes/kubernetes-names";
import { type KubeConnection, KubeError, kubeRequest, statusMessage } from "./kubernetes-api";
import type { RunningStack } from "./running-stacks";

interface DeploymentItem {
  readonly metadata: { readonly namespace: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: { readonly replicas?: number; readonly template?: { readonly spec?: { readonly containers?: { readonly image?: string }[] } } };
  readonly status?: { readonly readyReplicas?: number };
}

/** A DeploymentList's LiteLLM Deployments -> stacks, with their URL, image and ready pods. Pure. */
export function stacksFromDeployments(items: readonly DeploymentItem[]): RunningStack[] {
  return items
    .filter((item) => item.metadata.labels?.[STACK_LABEL] && item.metadata.labels?.[COMPONENT_LABEL] === "litellm")
    .map((item) => {
      const labels = item.metadata.labels ?? {};
      const url = item.metadata.annotations?.[URL_ANNOTATION];
      const image = item.spec?.template?.spec?.containers?.[0]?.image;
      return {
        stack: labels[STACK_LABEL],
        ...(labels[EXPERIMENT_LABEL] ? { experiment: labels[EXPERIMENT_LABEL] } : {}),
        ...(url ? { url } : {}),
        ...(image ? { image } : {}),
        state: `${item.status?.readyReplicas ?? 0}/${item.spec?.replicas ?? 0} ready (namespace ${item.metadata.namespace})`,
      };
    })
    .sort((a, b) => a.stack.localeCompare(b.stack));
}

export async function kubernetesStacks(connection: KubeConnection): Promise<RunningStack[]> {
  const selector = encodeURIComponent(`${COMPONENT_LABEL}=litellm,${STACK_LABEL}`);
  const response = await kubeRequest(connection, "GET", `/apis/apps/v1/deployments?labelSelector=${selector}`);
  if (response.status !== 200) throw new KubeError(`the cluster refused to list Deployments (HTTP ${response.status}: ${statusMessage(response.body)})`);
  return stacksFromDeployments((JSON.parse(response.body) as { items: DeploymentItem[] }).items);
}
