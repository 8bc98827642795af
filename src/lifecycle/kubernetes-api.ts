/**
 * A small client of the Kubernetes API, from a kubeconfig as kubectl reads it (client certificate
 * or token, the cluster's CA), for what the commands do themselves: the checks before a deploy,
 * and reaching the proxy through the API server when its Service is not reachable from here. No
 * kubectl needed. Only what these need: JSON requests with a deadline.
 */
import { readFileSync } from "node:fs";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { parse } from "yaml";

/** Where the cluster is: a kubernetes profile's settings are one. */
export interface KubeTarget {
  /** The kubeconfig file. */
  readonly configPath: string;
  /** The context to use. @default - the file's current context */
  readonly context?: string;
}

interface NamedEntry<T> {
  readonly name: string;
  readonly cluster?: T;
  readonly user?: T;
  readonly context?: T;
}
interface KubeconfigFile {
  readonly "current-context"?: string;
  readonly contexts?: NamedEntry<{ readonly cluster: string; readonly user: string }>[];
  readonly clusters?: NamedEntry<Record<string, string | boolean | undefined>>[];
  readonly users?: NamedEntry<Record<string, string | undefined>>[];
}

/** What a request needs: where the API server is and how to authenticate. */
export interface KubeConnection {
  readonly context: string;
  readonly server: string;
  readonly tls: Pick<RequestOptions, "ca" | "cert" | "key" | "rejectUnauthorized">;
  readonly token?: string;
}

/** A kubeconfig that cannot be used, or a cluster that does not answer: the message says what to do. */
export class KubeError extends Error {}

/** No answer from the API server (refused, timed out, TLS failed). */
export class KubeUnreachable extends KubeError {}

function material(entry: Record<string, string | boolean | undefined>, dataKey: string, fileKey: string): Buffer | undefined {
  const data = entry[dataKey];
  if (typeof data === "string") return Buffer.from(data, "base64");
  const file = entry[fileKey];
  return typeof file === "string" ? readFileSync(file) : undefined;
}

/** The connection of a kubeconfig's context; a missing file or context is a KubeError saying what to set. */
export function kubeConnection(target: KubeTarget): KubeConnection {
  let file: KubeconfigFile;
  try {
    file = parse(readFileSync(target.configPath, "utf8")) as KubeconfigFile;
  } catch (error) {
    throw new KubeError(`cannot read the kubeconfig ${target.configPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): set KUBECONFIG or kubernetes.configPath to your cluster's kubeconfig`);
  }
  const contexts = file.contexts ?? [];
  const name = target.context ?? file["current-context"];
  const context = contexts.find((entry) => entry.name === name)?.context;
  if (!name || !context) {
    const known = contexts.map((entry) => entry.name).join(", ") || "none";
    throw new KubeError(
      name
        ? `kubernetes.context "${name}" is not in ${target.configPath} (its contexts: ${known}): set kubernetes.context to one of them`
        : `${target.configPath} has no current context: set kubernetes.context (its contexts: ${known})`,
    );
  }
  const cluster = file.clusters?.find((entry) => entry.name === context.cluster)?.cluster;
  const user = file.users?.find((entry) => entry.name === context.user)?.user ?? {};
  if (!cluster || typeof cluster.server !== "string") throw new KubeError(`context "${name}" names cluster "${context.cluster}", which ${target.configPath} does not define: fix the kubeconfig`);
  return {
    context: name,
    server: cluster.server.replace(/\/$/, ""),
    tls: {
      ca: material(cluster, "certificate-authority-data", "certificate-authority"),
      cert: material(user, "client-certificate-data", "client-certificate"),
      key: material(user, "client-key-data", "client-key"),
      rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
    },
    token: user.token ?? (user.tokenFile ? readFileSync(user.tokenFile, "utf8").trim() : undefined),
  };
}

export interface KubeResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/**
 * One request to the API server, answered within `timeoutMs` or failed with a KubeError naming
 * the server and the cause.
 */
export function kubeRequest(
  connection: KubeConnection,
  method: string,
  path: string,
  options: { readonly body?: string | Buffer; readonly headers?: Record<string, string>; readonly timeoutMs?: number } = {},
): Promise<KubeResponse> {
  const url = new URL(connection.server + path);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ...connection.tls,
        headers: {
          accept: "application/json",
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
          ...(connection.token ? { authorization: `Bearer ${connection.token}` } : {}),
          ...options.headers,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
        res.on("error", (error) => reject(new KubeError(`the cluster at ${connection.server} broke off its answer: ${error.message}`)));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on("error", (error: NodeJS.ErrnoException) =>
      reject(new KubeUnreachable(`cannot reach the cluster of context "${connection.context}" at ${connection.server} (${error.code ?? error.message}): start it, or choose another context (kubernetes.context)`)),
    );
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** A Kubernetes Status object's message, or the body's start. */
export function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
