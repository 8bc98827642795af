/**
 * After a release whose pods failed: the Deployment goes back to the pod template of its previous
 * revision (what `kubectl rollout undo` does), so nothing is left half-rolled and the state, once
 * refreshed, says what runs; the next deploy then shows the failed change again.
 */
import { type KubeConnection, kubeRequest, statusMessage } from "./kubernetes-api";

const REVISION = "deployment.kubernetes.io/revision";

interface ReplicaSetItem {
  readonly metadata: { readonly annotations?: Record<string, string>; readonly ownerReferences?: { readonly name: string; readonly kind: string }[] };
  readonly spec: { readonly template: { readonly metadata?: { readonly labels?: Record<string, string> } } & Record<string, unknown> };
  readonly status?: { readonly readyReplicas?: number };
}

/**
 * The pod template of the latest earlier revision that still has ready pods (the one serving: with
 * maxUnavailable 0 it was never scaled down), else of the revision before `current`; without the
 * hash label Kubernetes adds. Pure.
 */
export function previousTemplate(replicaSets: readonly ReplicaSetItem[], deployment: string, current: number): Record<string, unknown> | undefined {
  const previous = replicaSets
    .filter((rs) => rs.metadata.ownerReferences?.some((owner) => owner.kind === "Deployment" && owner.name === deployment))
    .map((rs) => ({ rs, revision: Number(rs.metadata.annotations?.[REVISION] ?? 0) }))
    .filter(({ revision }) => revision < current)
    .sort((a, b) => Number((b.rs.status?.readyReplicas ?? 0) > 0) - Number((a.rs.status?.readyReplicas ?? 0) > 0) || b.revision - a.revision)[0]?.rs;
  if (!previous) return undefined;
  const { "pod-template-hash": _hash, ...labels } = previous.spec.template.metadata?.labels ?? {};
  return { ...previous.spec.template, metadata: { ...previous.spec.template.metadata, labels } };
}

/** Rolls the Deployment back; returns what happened, for the deploy's last line. */
export async function rollBackDeployment(connection: KubeConnection, namespace: string, name: string): Promise<string> {
  const base = `/apis/apps/v1/namespaces/${namespace}`;
  const deployment = await kubeRequest(connection, "GET", `${base}/deployments/${name}`);
  if (deployment.status !== 200) return `rolling back failed: ${statusMessage(deployment.body)}`;
  const current = Number((JSON.parse(deployment.body) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.[REVISION] ?? 0);
  const sets = await kubeRequest(connection, "GET", `${base}/replicasets`);
  if (sets.status !== 200) return `rolling back failed: ${statusMessage(sets.body)}`;
  const template = previousTemplate((JSON.parse(sets.body) as { items: ReplicaSetItem[] }).items, name, current);
  if (!template) return "there is no earlier release to roll back to";
  // A JSON patch replaces the template whole, as `kubectl rollout undo` does.
  const patched = await kubeRequest(connection, "PATCH", `${base}/deployments/${name}`, {
    body: JSON.stringify([{ op: "replace", path: "/spec/template", value: template }]),
    headers: { "content-type": "application/json-patch+json" },
  });
  return patched.status === 200 ? "the Deployment was rolled back to the release before" : `rolling back failed: ${statusMessage(patched.body)}`;
}
