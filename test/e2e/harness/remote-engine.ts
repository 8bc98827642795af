/**
 * A second Docker Engine that a deploy reaches only as a team's CI does: through sshd as the user
 * `deploy` (published on 127.0.0.1 only), or tcp:// with TLS. dockerd and sshd run in a privileged
 * container of the suite's own (test/e2e/images/remote-engine), with their own image store, so
 * what a deploy creates there is nowhere else.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import type Docker from "dockerode";
import { docker, suiteLabels } from "./engine";
import { freePort } from "./deployment";
import { waitFor } from "./wait";

/** What dockerd in a container needs beyond Docker's defaults (bridges, iptables, mounts, namespaces). */
const DOCKERD_CAPABILITIES = ["NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE", "IPC_LOCK", "SYS_NICE", "MKNOD", "SETFCAP", "SETPCAP", "DAC_READ_SEARCH", "LINUX_IMMUTABLE"];

export interface RemoteEngineOptions {
  /** The image built by test/e2e/images/build.sh (REMOTE_ENGINE_IMAGE). */
  readonly image: string;
  /** Container name on the local engine. */
  readonly name: string;
  /** The public key `deploy` accepts (one line of an authorized_keys file). */
  readonly authorizedKey: string;
  /**
   * Ports a stack deployed there publishes, each published again on a free port of 127.0.0.1 of this
   * machine (`url`): the suites reach every server through 127.0.0.1, never a bridge address.
   * @default - none
   */
  readonly publish?: readonly number[];
  /** A folder with ca.pem, server-cert.pem and server-key.pem: dockerd also serves tcp://:2376 with TLS. @default - no tcp */
  readonly serverCertsDir?: string;
}

export class RemoteEngine {
  private constructor(
    readonly name: string,
    /** sshd, on 127.0.0.1 of this machine. */
    readonly sshPort: number,
    /** dockerd's TLS port, on 127.0.0.1 of this machine (with serverCertsDir). */
    readonly tlsPort: number | undefined,
    /** A port published on the remote engine -> where it answers on 127.0.0.1 of this machine. */
    private readonly published: ReadonlyMap<number, number>,
  ) {}

  /** http://127.0.0.1:<port> of this machine that reaches `port` published on the remote engine. */
  url(port: number): string {
    const local = this.published.get(port);
    if (local === undefined) throw new Error(`port ${port} of the remote engine is not published here: add it to RemoteEngine.start's publish`);
    return `http://127.0.0.1:${local}`;
  }

  static async start(options: RemoteEngineOptions): Promise<RemoteEngine> {
    const sshPort = await freePort();
    const tlsPort = options.serverCertsDir ? await freePort() : undefined;
    const published = new Map<number, number>();
    for (const port of options.publish ?? []) published.set(port, await freePort());
    const labels = suiteLabels();
    // Its own image store on a volume: overlay2 cannot sit on the container's overlay root.
    await docker.createVolume({ Name: `${options.name}-data`, Labels: labels });
    // dockerode's types lack CgroupnsMode (Engine API 1.41): the engine takes it all the same.
    const hostConfig: Docker.HostConfig & { CgroupnsMode: "host" } = {
      // Not --privileged: an engine that itself runs without CAP_SYS_RESOURCE (this machine's) cannot
      // grant it, and dockerd needs only these, an unconfined profile and the cgroup tree.
      CapAdd: DOCKERD_CAPABILITIES,
      SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
      CgroupnsMode: "host",
      Binds: ["/sys/fs/cgroup:/sys/fs/cgroup:rw"],
      PortBindings: {
        "22/tcp": [{ HostIp: "127.0.0.1", HostPort: String(sshPort) }],
        ...(tlsPort ? { "2376/tcp": [{ HostIp: "127.0.0.1", HostPort: String(tlsPort) }] } : {}),
        ...Object.fromEntries([...published].map(([port, local]) => [`${port}/tcp`, [{ HostIp: "127.0.0.1", HostPort: String(local) }]])),
      },
      Mounts: [
        { Type: "volume", Source: `${options.name}-data`, Target: "/var/lib/docker" },
        ...(options.serverCertsDir ? [{ Type: "bind" as const, Source: options.serverCertsDir, Target: "/certs", ReadOnly: true }] : []),
      ],
    };
    const container = await docker.createContainer({
      name: options.name,
      Image: options.image,
      Env: [`AUTHORIZED_KEY=${options.authorizedKey}`],
      Labels: labels,
      ExposedPorts: { "22/tcp": {}, ...(tlsPort ? { "2376/tcp": {} } : {}), ...Object.fromEntries([...published.keys()].map((port) => [`${port}/tcp`, {}])) },
      HostConfig: hostConfig,
    });
    await container.start();
    const engine = new RemoteEngine(options.name, sshPort, tlsPort, published);
    await waitFor("the remote engine's dockerd", 60_000, async () => engine.cli(["version", "--format", "{{.Server.Version}}"]).status === 0 || undefined);
    return engine;
  }

  /** ssh://deploy@127.0.0.1:<port>, as DOCKER_HOST takes it. */
  get sshHost(): string {
    return `ssh://deploy@127.0.0.1:${this.sshPort}`;
  }

  /** tcp://127.0.0.1:<port> (with serverCertsDir). */
  get tlsHost(): string {
    if (!this.tlsPort) throw new Error(`${this.name} was started without TLS certificates`);
    return `tcp://127.0.0.1:${this.tlsPort}`;
  }

  /** The engine's ssh host key as a known_hosts line for 127.0.0.1:<port>, read through `docker exec`. */
  knownHostsLine(): string {
    const key = this.exec(["cat", "/etc/ssh/ssh_host_ed25519_key.pub"]).trim().split(/\s+/).slice(0, 2).join(" ");
    return `[127.0.0.1]:${this.sshPort} ${key}`;
  }

  /** The docker CLI inside the remote engine: what is really there, seen without ssh. */
  cli(args: readonly string[]): { status: number; stdout: string; stderr: string } {
    const result = spawnSync("docker", ["exec", this.name, "docker", ...args], { encoding: "utf8", timeout: 60_000 });
    return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  }

  /** The remote engine's containers (all states), volumes and networks carrying a label, by name. */
  objectsLabelled(label: string): { containers: string[]; volumes: string[]; networks: string[] } {
    const names = (args: string[], format: string) =>
      this.cli([...args, "--filter", `label=${label}`, "--format", format]).stdout.split("\n").filter(Boolean);
    return {
      containers: names(["ps", "--all"], "{{.Names}}"),
      volumes: names(["volume", "ls"], "{{.Name}}"),
      networks: names(["network", "ls"], "{{.Name}}"),
    };
  }

  /** Copies images from the local engine (`docker save | docker load`): the remote one reaches no registry either. */
  async loadImages(references: readonly string[]): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const save = spawn("docker", ["save", ...references], { stdio: ["ignore", "pipe", "inherit"] });
      const load = spawn("docker", ["exec", "-i", this.name, "docker", "load", "-q"], { stdio: ["pipe", "ignore", "inherit"] });
      save.stdout.pipe(load.stdin);
      load.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`docker load into ${this.name} exited ${code}`))));
    });
  }

  private exec(command: readonly string[]): string {
    const result = spawnSync("docker", ["exec", this.name, ...command], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`docker exec ${this.name} ${command.join(" ")}: ${result.stderr}`);
    return result.stdout;
  }

  async remove(): Promise<void> {
    await docker.getContainer(this.name).remove({ force: true, v: true }).catch(() => undefined);
    await docker.getVolume(`${this.name}-data`).remove().catch(() => undefined);
  }
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `dockerd --tlsverify` expects them. */
export function makeTlsCertificates(dir: string): { serverDir: string; clientDir: string } {
  const serverDir = join(dir, "server");
  const clientDir = join(dir, "client");
  const script = `
set -e
mkdir -p "${serverDir}" "${clientDir}"
cd "${dir}"
openssl req -x509 -newkey ed25519 -nodes -keyout ca-key.pem -out ca.pem -days 1 -subj "/CN=e2e remote engine CA" 2>/dev/null
openssl req -newkey ed25519 -nodes -keyout "${serverDir}/server-key.pem" -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 -extfile server.ext -out "${serverDir}/server-cert.pem" 2>/dev/null
openssl req -newkey ed25519 -nodes -keyout "${clientDir}/key.pem" -out client.csr -subj "/CN=deploy" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\\n' > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 -extfile client.ext -out "${clientDir}/cert.pem" 2>/dev/null
cp ca.pem "${serverDir}/ca.pem"
cp ca.pem "${clientDir}/ca.pem"
chmod 644 "${serverDir}"/*.pem
`;
  const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`making TLS certificates failed: ${result.stderr}`);
  return { serverDir, clientDir };
}
