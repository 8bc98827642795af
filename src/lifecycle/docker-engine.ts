/** The Docker Engine a deploy targets, asked through the docker CLI (DOCKER_HOST and ssh:// honoured). */
import { spawn, spawnSync } from "node:child_process";

export interface EngineInfo {
  readonly version: string;
  /** The API version the provider's client negotiates down to, e.g. "1.41" for Engine 20.10. */
  readonly apiVersion: string;
}

export function dockerEnv(dockerHost: string | undefined, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return dockerHost ? { ...env, DOCKER_HOST: dockerHost } : env;
}

/** One line for every command that finds no engine: what failed, and what to do. */
export function noEngineMessage(dockerHost: string | undefined, reason: string): string {
  const where = dockerHost ?? process.env.DOCKER_HOST ?? "the local Docker socket";
  return `no Docker Engine answers at ${where} (${reason}): start Docker (or dockerd), or set DOCKER_HOST / docker.host to the engine to use`;
}

/** The engine's version, or why none answers (within 20 s, so a hung ssh never hangs a deploy). */
export function engineInfo(dockerHost?: string): EngineInfo | { readonly error: string } {
  const result = spawnSync("docker", ["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}"], {
    encoding: "utf8",
    timeout: 20_000,
    env: dockerEnv(dockerHost),
  });
  const [version, apiVersion] = (result.stdout ?? "").trim().split(" ");
  if (result.status === 0 && version && apiVersion) return { version, apiVersion };
  const reason = result.error
    ? (result.error as NodeJS.ErrnoException).code === "ENOENT"
      ? "the docker CLI is not installed"
      : "docker version timed out"
    : (result.stderr ?? "").trim().split("\n").at(-1) || `docker version exited ${result.status}`;
  return { error: reason.slice(0, 200) };
}

/** Runs the docker CLI without blocking the event loop; resolves with its output, never rejects. */
export function docker(args: readonly string[], dockerHost?: string, timeoutMs = 15_000): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("docker", [...args], { env: dockerEnv(dockerHost), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ status: 127, stdout, stderr: error.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? 1, stdout, stderr });
    });
  });
}
