/**
 * The real single-node Kubernetes of ../shared/kubernetes: brought up once (idempotent: ~2 s when
 * it is already up, as `.ci/run` leaves it), images loaded from the local engine, and the API read
 * with the project's own client, so the suites look at what the cluster holds.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type KubeConnection, kubeConnection, kubeRequest } from "../../../src/lifecycle/kubernetes-api";
import { PROJECT_ROOT } from "./checkout";

const KIT = join(PROJECT_ROOT, "..", "shared", "kubernetes", "cluster");

/** Why the cluster cannot run here, or undefined. Decided at load time, so a skip is printed with its reason. */
export function clusterUnavailableReason(): string | undefined {
  if (!existsSync(KIT)) return `no Kubernetes kit at ${KIT}`;
  if (process.getuid?.() !== 0) return "the Kubernetes kit runs its daemons as root, and this suite is not root";
  return undefined;
}

function kit(args: readonly string[], timeoutMs: number): string {
  const result = spawnSync(KIT, [...args], { encoding: "utf8", timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`cluster ${args.join(" ")} failed (exit ${result.status}): ${(result.stderr || result.stdout).slice(-2000)}`);
  return result.stdout;
}

/** Brings the cluster up (or checks it is), and returns its kubeconfig's path. */
export function clusterUp(): string {
  kit(["up"], 300_000);
  return kit(["kubeconfig"], 10_000).trim();
}

/** Local engine images -> the cluster's image store (there is no registry to pull from). */
export function loadImages(images: readonly string[]): void {
  kit(["load-image", ...images], 900_000);
}

export function clusterApi(kubeconfig: string): KubeConnection {
  return kubeConnection({ configPath: kubeconfig });
}

/** GET as JSON; undefined on 404. */
export async function getObject(connection: KubeConnection, path: string): Promise<any> {
  const answer = await kubeRequest(connection, "GET", path);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(`GET ${path}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body);
}

export async function deleteObject(connection: KubeConnection, path: string): Promise<number> {
  return (await kubeRequest(connection, "DELETE", path)).status;
}
