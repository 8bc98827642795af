/**
 * Watches the stack's new pods while Terraform rolls them out. The provider's rollout wait only
 * ends at its timeout (minutes per replica), and with `maxUnavailable: 0` a release that never
 * becomes ready leaves the old pods serving while it waits. A new pod that cannot start (image,
 * configuration), restarts, or stays unready past its grace is reported within seconds, with the
 * cause Kubernetes gives and its last log lines, and the deploy is stopped.
 */
import { printable } from "../catalog/config-error";
import { redactKeys } from "../proxy-admin/bounded-http";
import { COMPONENT_LABEL } from "../kubernetes/kubernetes-names";
import { type KubeConnection, kubeRequest } from "./kubernetes-api";
import { pollUntilStopped } from "./poll-watch";

/** Waiting reasons that no amount of waiting fixes. */
const HOPELESS = new Set(["CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"]);

export interface PodItem {
  readonly metadata: { readonly name: string; readonly creationTimestamp: string; readonly labels?: Record<string, string> };
  readonly status?: {
    readonly containerStatuses?: readonly {
      readonly name: string;
      readonly ready: boolean;
      readonly started?: boolean;
      readonly restartCount: number;
      readonly state?: { readonly waiting?: { readonly reason?: string; readonly message?: string }; readonly running?: { readonly startedAt?: string } };
      readonly lastState?: { readonly terminated?: { readonly reason?: string; readonly exitCode?: number } };
    }[];
  };
}

export interface PodFailure {
  readonly pod: string;
  /** The Deployment the pod belongs to (its component: Deployments are named after it). */
  readonly deployment: string;
  /** Kubernetes' reason, one line. */
  readonly cause: string;
  /** Whether the log to show is the previous container's (it restarted). */
  readonly previous: boolean;
}

/**
 * The first new pod (created after `sinceMs`) that failed, or undefined. A started pod counts as
 * failed once it has been unready for `unreadyGraceMs` (its readiness probe keeps failing).
 */
export function failedPod(pods: readonly PodItem[], sinceMs: number, nowMs: number, unreadyGraceMs: number): PodFailure | undefined {
  for (const pod of pods) {
    if (Date.parse(pod.metadata.creationTimestamp) < sinceMs - 2_000) continue;
    const deployment = pod.metadata.labels?.[COMPONENT_LABEL] ?? "litellm";
    for (const container of pod.status?.containerStatuses ?? []) {
      const waiting = container.state?.waiting;
      const terminated = container.lastState?.terminated;
      if (waiting?.reason && HOPELESS.has(waiting.reason)) {
        const why = terminated ? `, last exit ${terminated.reason ?? "?"} (code ${terminated.exitCode ?? "?"})` : "";
        return { pod: pod.metadata.name, deployment, cause: `${waiting.reason}${why}${waiting.message ? `: ${waiting.message}` : ""}`, previous: container.restartCount > 0 };
      }
      if (container.restartCount >= 2) {
        return { pod: pod.metadata.name, deployment, cause: `restarted ${container.restartCount}x, last exit ${terminated?.reason ?? "?"} (code ${terminated?.exitCode ?? "?"})`, previous: true };
      }
      const runningSince = Date.parse(container.state?.running?.startedAt ?? "");
      if (container.started && !container.ready && nowMs - runningSince > unreadyGraceMs) {
        return { pod: pod.metadata.name, deployment, cause: `started but not ready for ${Math.round((nowMs - runningSince) / 1000)} s`, previous: false };
      }
    }
  }
  return undefined;
}

/** The last "Unhealthy" (probe) event of a pod: why it is not ready. */
async function probeEvent(connection: KubeConnection, namespace: string, pod: string): Promise<string | undefined> {
  const selector = encodeURIComponent(`involvedObject.name=${pod},reason=Unhealthy`);
  const answer = await kubeRequest(connection, "GET", `/api/v1/namespaces/${namespace}/events?fieldSelector=${selector}`);
  if (answer.status !== 200) return undefined;
  const items = (JSON.parse(answer.body) as { items: { message?: string; lastTimestamp?: string }[] }).items;
  return items.sort((a, b) => (a.lastTimestamp ?? "").localeCompare(b.lastTimestamp ?? "")).at(-1)?.message;
}

async function logTail(connection: KubeConnection, namespace: string, failure: PodFailure): Promise<string> {
  const answer = await kubeRequest(connection, "GET", `/api/v1/namespaces/${namespace}/pods/${failure.pod}/log?tailLines=10${failure.previous ? "&previous=true" : ""}`);
  return answer.status === 200 ? answer.body.trimEnd() : "";
}

export interface KubernetesStartFailure extends PodFailure {
  readonly logTail: string;
}

/** Polls the namespace's pods every `intervalMs` until stopped or a new one fails. */
export function watchPods(
  connection: KubeConnection,
  namespace: string,
  sinceMs: number,
  unreadyGraceMs = 90_000,
  intervalMs = 2_000,
): { readonly failure: Promise<KubernetesStartFailure | undefined>; stop(): void } {
  const watch = pollUntilStopped(async (): Promise<KubernetesStartFailure | undefined> => {
    try {
      const answer = await kubeRequest(connection, "GET", `/api/v1/namespaces/${namespace}/pods`);
      const found = answer.status === 200 ? failedPod((JSON.parse(answer.body) as { items: PodItem[] }).items, sinceMs, Date.now(), unreadyGraceMs) : undefined;
      if (!found) return undefined;
      const event = found.cause.startsWith("started but not ready") ? await probeEvent(connection, namespace, found.pod) : undefined;
      return { ...found, cause: event ? `${found.cause}: ${event}` : found.cause, logTail: await logTail(connection, namespace, found) };
    } catch {
      // The cluster briefly not answering is Terraform's to report, not the watch's.
      return undefined;
    }
  }, intervalMs);
  return { failure: watch.found, stop: watch.stop };
}

/** The report: the log lines, then one last line with the pod, its cause and what still serves. */
export function describePodFailure(failure: KubernetesStartFailure, after: string): string {
  const log = failure.logTail ? failure.logTail.split("\n").map((line) => `  | ${printable(redactKeys(line))}`).join("\n") : "  | (it printed nothing)";
  return `pod ${failure.pod} of the new release failed; its last lines:\n${log}\ndeploy stopped: pod ${failure.pod} failed (${printable(redactKeys(failure.cause))}); the pods from before kept serving; ${after}. Fix the cause, then run the deploy again`;
}
