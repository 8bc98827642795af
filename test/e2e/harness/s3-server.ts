/**
 * An S3-compatible server for the state backend (moto in server mode, test/e2e/images/moto),
 * published on 127.0.0.1 only. Empty when it starts; everything is gone when it is removed.
 */
import { docker, suiteLabels } from "./engine";
import { freePort } from "./deployment";
import { waitFor } from "./wait";

export class S3Server {
  private constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  static async start(image: string, name: string): Promise<S3Server> {
    const port = await freePort();
    const container = await docker.createContainer({
      name,
      Image: image,
      Labels: suiteLabels(),
      ExposedPorts: { "5000/tcp": {} },
      HostConfig: { PortBindings: { "5000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
    });
    await container.start();
    const server = new S3Server(name, port);
    // Each probe bounded: a connection docker-proxy accepts before moto listens can hang.
    await waitFor("the S3 server", 60_000, async () => ((await fetch(server.endpoint, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined));
    return server;
  }

  /** What the backend's `endpoint` takes. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The bucket a team creates once, before its first deploy. */
  async createBucket(bucket: string): Promise<void> {
    const response = await fetch(`${this.endpoint}/${bucket}`, { method: "PUT", signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`creating bucket ${bucket}: HTTP ${response.status}`);
  }

  /** Every object in the bucket, key -> size in bytes. */
  async objects(bucket: string): Promise<Record<string, number>> {
    const response = await fetch(`${this.endpoint}/${bucket}?list-type=2`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`listing bucket ${bucket}: HTTP ${response.status}`);
    const xml = await response.text();
    return Object.fromEntries(
      [...xml.matchAll(/<Contents><Key>([^<]+)<\/Key>.*?<Size>(\d+)<\/Size>/g)].map((m) => [m[1], Number(m[2])]),
    );
  }

  /** An object's contents, or undefined when there is none. */
  async object(bucket: string, key: string): Promise<string | undefined> {
    const response = await fetch(`${this.endpoint}/${bucket}/${key}`, {
      // moto serves objects to any request in SigV4's form and checks no signature; unsigned ones get 403.
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=suite/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0" },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`reading s3://${bucket}/${key}: HTTP ${response.status}`);
    return response.text();
  }

  async remove(): Promise<void> {
    await docker.getContainer(this.name).remove({ force: true }).catch(() => undefined);
  }
}
