/**
 * The real Docker Engine, through its HTTP API (dockerode): the same calls the Terraform provider
 * makes to create a container from a docker_container resource.
 */
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { pack } from "tar-stream";
import { type ContainerSpec, envList } from "../../../src/specs/container-spec";
import { engineInfo, noEngineMessage } from "../../../src/lifecycle/docker-engine";
import { waitFor } from "./wait";

export const docker = new Docker();

/**
 * Every object the suite creates carries this label, so a crashed run's leftovers can be swept: once,
 * before any file runs (test/e2e/run.ts), never by a file while files run side by side.
 */
export const SUITE_LABEL = "io.litellm-stack.e2e";
/** And this one, naming the test file that made it. */
export const RUN_LABEL = "io.litellm-stack.e2e.run";
// Jest loads this module anew for each test file, so each file has its own id.
const RUN_ID = randomBytes(6).toString("hex");
/** The label filter matching what this test file made, and nothing a file beside it made. */
export const RUN_FILTER = `${RUN_LABEL}=${RUN_ID}`;

/** The labels of an object the suite creates. */
export function suiteLabels(): Record<string, string> {
  return { [SUITE_LABEL]: "true", [RUN_LABEL]: RUN_ID };
}

/** Fails at once, with the fix, when no engine answers (a hung socket must not hang the suite). */
export function assertEngineAnswers(): void {
  const engine = engineInfo();
  if ("error" in engine) {
    throw new Error(`${noEngineMessage(undefined, engine.error)}. For the suite: \`bash .ci/run\` installs docker.io and starts dockerd; by hand: dockerd &`);
  }
}

const NS_PER_SECOND = 1_000_000_000;

/** The Engine API form of a ContainerSpec, as kreuzwerker/docker sends it. */
export function createOptions(spec: ContainerSpec, image: string): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: image,
    Env: envList(spec.env),
    Cmd: spec.command.length > 0 ? [...spec.command] : undefined,
    User: spec.user,
    Labels: { ...spec.labels, ...suiteLabels() },
    Healthcheck: {
      Test: [...spec.healthcheck.test],
      Interval: spec.healthcheck.intervalSeconds * NS_PER_SECOND,
      Timeout: spec.healthcheck.timeoutSeconds * NS_PER_SECOND,
      StartPeriod: spec.healthcheck.startPeriodSeconds * NS_PER_SECOND,
      StartInterval: (spec.healthcheck.startIntervalSeconds ?? 0) * NS_PER_SECOND,
      Retries: spec.healthcheck.retries,
    },
    StopTimeout: spec.stopGraceSeconds,
    ExposedPorts: Object.fromEntries(spec.ports.map((p) => [`${p.internal}/tcp`, {}])),
    HostConfig: {
      RestartPolicy: { Name: spec.restart },
      Memory: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
      MemorySwap: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
      Mounts: spec.volumes.map((v) => ({ Type: "volume", Source: v.volumeName, Target: v.containerPath })),
      PortBindings: Object.fromEntries(
        spec.ports.map((p) => [`${p.internal}/tcp`, [{ HostIp: p.ip, HostPort: String(p.external) }]]),
      ),
    },
    NetworkingConfig: { EndpointsConfig: { [spec.network.name]: { Aliases: [...spec.network.aliases] } } },
  };
}

/** Copies files into a created container, as the provider's `upload` does. */
export async function uploadFiles(container: Docker.Container, uploads: ContainerSpec["uploads"]): Promise<void> {
  if (uploads.length === 0) return;
  const archive = pack();
  for (const upload of uploads) archive.entry({ name: upload.path.replace(/^\//, ""), mode: 0o644 }, upload.content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  await container.putArchive(Buffer.concat(chunks), { path: "/" });
}

/** Creates, uploads into and starts a container from its spec (create -> upload -> start, like the provider). */
export async function runSpec(spec: ContainerSpec, image: string): Promise<Docker.Container> {
  const container = await docker.createContainer(createOptions(spec, image));
  await uploadFiles(container, spec.uploads);
  await container.start();
  return container;
}

export async function ensureNetwork(name: string, labels: Record<string, string>): Promise<void> {
  const existing = await docker.listNetworks({ filters: { name: [name] } });
  if (existing.some((n) => n.Name === name)) return;
  await docker.createNetwork({ Name: name, Driver: "bridge", Labels: { ...labels, ...suiteLabels() } });
}

export async function ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
  await docker.createVolume({ Name: name, Labels: { ...labels, ...suiteLabels() } });
}

/** Waits for the healthcheck to pass, as `wait = true` does; on time-out says why, with the logs. */
export async function waitHealthy(name: string, timeoutMs: number): Promise<void> {
  try {
    await waitFor(`${name} to be healthy`, timeoutMs, async () => {
      const state = (await docker.getContainer(name).inspect()).State;
      if (state.Health?.Status === "healthy") return true;
      const lastCheck = state.Health?.Log?.at(-1)?.Output?.trim();
      throw new Error(`status ${state.Status}, health ${state.Health?.Status ?? "none"}${lastCheck ? `: ${lastCheck}` : ""}`);
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- last logs of ${name} ---\n${await logsOf(name)}`);
  }
}

export async function logsOf(name: string, lines = 30): Promise<string> {
  try {
    const buffer = (await docker.getContainer(name).logs({ stdout: true, stderr: true, tail: lines })) as unknown as Buffer;
    return demux(buffer);
  } catch {
    return "(no logs)";
  }
}

/** Runs a command in a container; resolves with its exit code and output. */
export async function execIn(name: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const exec = await docker.getContainer(name).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (c: Buffer) => chunks.push(c));
    // A command with no output may close the stream without an "end".
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  const { ExitCode } = await exec.inspect();
  return { exitCode: ExitCode ?? -1, output: demux(Buffer.concat(chunks)) };
}

/** Docker's multiplexed stream: 8-byte header (stream, 0, 0, 0, size) before each frame. */
function demux(buffer: Buffer): string {
  let out = "";
  for (let i = 0; i + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(i + 4);
    out += buffer.subarray(i + 8, i + 8 + size).toString("utf8");
    i += 8 + size;
  }
  return out;
}

export interface LabelledObjects {
  readonly containers: string[];
  readonly networks: string[];
  readonly volumes: string[];
}

export async function objectsLabelled(label: string): Promise<LabelledObjects> {
  const filters = { label: [label] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers: containers.map((c) => c.Names[0].replace(/^\//, "")),
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
  };
}

/** Removes every container, network and volume with the label: a stack's `cdktf destroy`. */
export async function removeLabelled(label: string): Promise<void> {
  const found = await objectsLabelled(label);
  await Promise.all(found.containers.map((name) => docker.getContainer(name).remove({ force: true, v: true })));
  await Promise.all(found.networks.map((name) => docker.getNetwork(name).remove()));
  await Promise.all(found.volumes.map((name) => docker.getVolume(name).remove()));
}
