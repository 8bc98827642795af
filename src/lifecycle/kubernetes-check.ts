/**
 * Before a kubernetes-profile deploy changes anything: the kubeconfig and its context, the cluster
 * answering, the namespace free or the stack's own, and the node port one the cluster takes and no
 * other Service holds (asked of the cluster's own allocator). Each problem is one line with
 * its cause and next step.
 */
import type { StackConfig } from "../catalog/validate";
import { STACK_LABEL } from "../kubernetes/kubernetes-names";
import { KubeError, kubeConnection, type KubeConnection, kubeRequest, statusMessage } from "./kubernetes-api";

/** Who owns a namespace, from its labels: this stack, another stack, or nothing of ours. */
export function namespaceOwnerProblem(namespace: string, labels: Readonly<Record<string, string>> | undefined, stack: string): string | undefined {
  const owner = labels?.[STACK_LABEL];
  if (owner === stack) return undefined;
  return owner
    ? `namespace "${namespace}" belongs to stack "${owner}": set kubernetes.namespace to a namespace of this stack's own`
    : `namespace "${namespace}" exists and was not created by this stack (it has no ${STACK_LABEL} label): the stack deletes its namespace on destroy, so set kubernetes.namespace to a new one`;
}

/** The cluster's refusal of a node port (from a dry run), as the user's next step. */
export function nodePortProblem(nodePort: number, refusal: string): string {
  const range = /range of valid ports is (\d+-\d+)/.exec(refusal)?.[1];
  if (range) return `kubernetes.service.nodePort ${nodePort} is outside this cluster's node port range ${range}: choose a port in it`;
  if (/already allocated/.test(refusal)) return `kubernetes.service.nodePort ${nodePort} is held by another Service of the cluster: choose another port`;
  return `the cluster refuses kubernetes.service.nodePort ${nodePort}: ${refusal}`;
}

async function getJson(connection: KubeConnection, path: string): Promise<{ status: number; json?: any }> {
  const response = await kubeRequest(connection, "GET", path, { timeoutMs: 5_000 });
  return { status: response.status, json: response.status === 200 ? JSON.parse(response.body) : undefined };
}

/** Why this deploy must not start, or undefined. */
export async function kubernetesDeployProblem(config: StackConfig): Promise<string | undefined> {
  const settings = config.kubernetes;
  if (!settings) return undefined;
  try {
    const connection = kubeConnection(settings);
    const version = await kubeRequest(connection, "GET", "/version", { timeoutMs: 5_000 });
    if (version.status === 401 || version.status === 403) {
      return `the cluster of context "${connection.context}" refuses this kubeconfig's credentials (HTTP ${version.status}): renew them, or choose another context`;
    }
    const namespace = await getJson(connection, `/api/v1/namespaces/${settings.namespace}`);
    if (namespace.status === 200) {
      const problem = namespaceOwnerProblem(settings.namespace, namespace.json?.metadata?.labels, config.name);
      if (problem) return problem;
    }
    const nodePort = settings.service.nodePort;
    if (nodePort === undefined) return undefined;
    const own = namespace.status === 200 ? await getJson(connection, `/api/v1/namespaces/${settings.namespace}/services/litellm`) : { status: 404 };
    if (own.json?.spec?.ports?.some((port: { nodePort?: number }) => port.nodePort === nodePort)) return undefined;
    // A server-side dry run skips the port allocator (measured: it accepts 40000 on a 30000-32767
    // cluster), so a Service of no pods is created and deleted at once: the allocator answers.
    const probe = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { generateName: "litellm-stack-port-check-", labels: { [STACK_LABEL]: config.name } },
      spec: { type: "NodePort", selector: { [STACK_LABEL]: `${config.name}-port-check` }, ports: [{ port: 80, nodePort }] },
    };
    const where = namespace.status === 200 ? settings.namespace : "default";
    const created = await kubeRequest(connection, "POST", `/api/v1/namespaces/${where}/services`, { body: JSON.stringify(probe), timeoutMs: 5_000 });
    if (created.status === 422 || created.status === 409) return nodePortProblem(nodePort, statusMessage(created.body));
    if (created.status === 201) {
      const name = (JSON.parse(created.body) as { metadata: { name: string } }).metadata.name;
      await kubeRequest(connection, "DELETE", `/api/v1/namespaces/${where}/services/${name}`, { timeoutMs: 5_000 });
    }
    return undefined;
  } catch (error) {
    if (!(error instanceof KubeError)) throw error;
    return error.message;
  }
}
