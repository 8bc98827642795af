/**
 * The proxy of a stack whose Service is not reachable from this machine (ClusterIP), reached as
 * `kubectl port-forward` reaches it, through the API server, without kubectl: a local HTTP server
 * on 127.0.0.1 that forwards each request to the API server's service proxy
 * (/api/v1/namespaces/<ns>/services/http:<service>:<port>/proxy/...). The API server consumes the
 * Authorization header when it authenticates a request, so the caller's key travels in
 * `x-litellm-api-key`, a header LiteLLM reads the key from too.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import type { KubeConnection } from "./kubernetes-api";

export interface ServiceTunnel {
  /** http://127.0.0.1:<port>: the proxy, as the commands use a base URL. */
  readonly url: string;
  close(): void;
}

/** Headers for the API server: hop-by-hop ones dropped, the caller's key moved to LiteLLM's own header. */
export function forwardedHeaders(headers: IncomingHttpHeaders, connection: Pick<KubeConnection, "token">): Record<string, string | string[]> {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ["host", "connection", "keep-alive", "authorization", "proxy-authorization"].includes(name)) continue;
    forwarded[name] = value;
  }
  if (headers.authorization) forwarded["x-litellm-api-key"] = headers.authorization;
  if (connection.token) forwarded.authorization = `Bearer ${connection.token}`;
  return forwarded;
}

export function openServiceTunnel(connection: KubeConnection, namespace: string, service: string, port: number): Promise<ServiceTunnel> {
  const prefix = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/http:${encodeURIComponent(service)}:${port}/proxy`;
  const server = createServer((incoming, outgoing) => {
    const upstream = httpsRequest(
      new URL(connection.server + prefix + (incoming.url ?? "/")),
      { method: incoming.method, headers: forwardedHeaders(incoming.headers, connection), ...connection.tls },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "application/json" });
      outgoing.end(JSON.stringify({ error: { message: `the Kubernetes API server did not forward the request: ${error.message}`, type: "tunnel" } }));
    });
    incoming.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      // The command ends when its work does, the tunnel with it.
      server.unref();
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() });
    });
  });
}
