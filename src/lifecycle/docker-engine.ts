/** The Docker Engine a deploy targets, asked through the docker CLI (DOCKER_HOST and ssh:// honoured). */
import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { projectRoot } from "../catalog/project-root";
import { diagnoseEngineFailure } from "./engine-failure";

export interface EngineInfo {
  readonly version: string;
  /** The API version the provider's client negotiates down to, e.g. "1.41" for Engine 20.10. */
  readonly apiVersion: string;
}

/** The engine a command talks to: the configuration's `docker` section (unset fields: the environment's). */
export interface DockerTarget {
  /** DOCKER_HOST's form; unset: DOCKER_HOST, else the local socket. */
  readonly host?: string;
  /** Folder with ca.pem, cert.pem and key.pem: TLS, verified both ways, as the provider's cert_path. */
  readonly certPath?: string;
}

/** The docker CLI's environment for a target: the same engine, and the same TLS, as the provider's. */
export function dockerEnv(target: DockerTarget = {}, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(target.host ? { DOCKER_HOST: target.host } : {}),
    // Relative to the checkout, as the provider's (stacks/litellm-stack.ts resolves it the same way).
    ...(target.certPath ? { DOCKER_CERT_PATH: resolve(projectRoot(), target.certPath), DOCKER_TLS_VERIFY: "1" } : {}),
  };
}

/**
 * One line for every command that finds no engine: what failed, and what to do.
 * @param reason the docker CLI's error text; a known ssh or TLS failure gets its own cause and next step
 */
export function noEngineMessage(dockerHost: string | undefined, reason: string): string {
  const where = dockerHost ?? process.env.DOCKER_HOST ?? "the local Docker socket";
  const known = diagnoseEngineFailure(reason);
  if (known) return `no Docker Engine answers at ${where}: ${known.cause}. Next: ${known.next}`;
  const said = reason.trim().split("\n").at(-1)?.slice(0, 200) ?? "";
  return `no Docker Engine answers at ${where} (${said}): start Docker (or dockerd), or set DOCKER_HOST / docker.host to the engine to use`;
}

/** The engine's version, or why none answers (within 20 s, so a hung ssh never hangs a deploy). */
export function engineInfo(target: DockerTarget = {}): EngineInfo | { readonly error: string } {
  const result = spawnSync("docker", ["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}"], {
    encoding: "utf8",
    timeout: 20_000,
    env: dockerEnv(target),
  });
  const [version, apiVersion] = (result.stdout ?? "").trim().split(" ");
  if (result.status === 0 && version && apiVersion) return { version, apiVersion };
  const reason = result.error
    ? (result.error as NodeJS.ErrnoException).code === "ENOENT"
      ? "the docker CLI is not installed"
      : "docker version timed out"
    : (result.stderr ?? "").trim() || `docker version exited ${result.status}`;
  // Whole: ssh's and TLS's reasons span several lines (noEngineMessage reads them).
  return { error: reason.slice(-4000) };
}

/** A file the command reads as its stdin, or writes as its stdout (a dump streamed in or out). */
export interface CommandFile {
  readonly fd: number;
  readonly as: "stdin" | "stdout";
}

/** Runs the docker CLI without blocking the event loop; resolves with its output, never rejects. */
export function docker(
  args: readonly string[],
  target: DockerTarget = {},
  timeoutMs = 15_000,
  file?: CommandFile,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const stdio: ["ignore" | number, "pipe" | number, "pipe"] =
      file?.as === "stdin" ? [file.fd, "pipe", "pipe"] : file?.as === "stdout" ? ["ignore", file.fd, "pipe"] : ["ignore", "pipe", "pipe"];
    const child = spawn("docker", [...args], { env: dockerEnv(target), stdio });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
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
