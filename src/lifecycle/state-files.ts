/**
 * Local state files: kept private, and found where earlier versions left them. Until this release
 * local state lived in cdktf.out/stacks/<stack>/, which cdktf deletes whenever a synth does not
 * produce that stack: the one copy of the stack's generated secrets. Such a state is moved to its
 * new place before anything else runs, never silently replaced by a fresh one.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../catalog/config-error";
import type { StackConfig } from "../catalog/validate";
import { LOCAL_STATE_DIR, localStatePath } from "../terraform/state-backend";

const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/** Where cdktf's stack folders are. */
export function stackOutDir(projectDir: string, stackName: string): string {
  return join(projectDir, "cdktf.out", "stacks", stackName);
}

/** The state files earlier versions wrote under cdktf.out/ for a stack, with where each belongs now. */
function legacyStates(config: StackConfig, projectDir: string): { from: string; to: string }[] {
  const to = localStatePath(config, projectDir);
  if (!to) return [];
  const oldRelative = config.backend.type === "local" && config.backend.path ? config.backend.path : `terraform.${config.name}.tfstate`;
  const from = join(stackOutDir(projectDir, config.name), oldRelative);
  return from === to ? [] : [{ from, to }];
}

/**
 * Moves this stack's state out of cdktf.out/ when an earlier version left it there (its backup
 * too). Refuses, changing nothing, when both places hold a state: only the user can tell which
 * one describes the running stack.
 * @param binary the program the user runs, named in the refusal @default terraform
 * @returns what was done, one line each
 */
export function moveLegacyState(config: StackConfig, projectDir: string, binary = "terraform"): string[] {
  const moved: string[] = [];
  for (const { from, to } of legacyStates(config, projectDir)) {
    if (!existsSync(from)) continue;
    if (existsSync(to) && readFileSync(to, "utf8") !== readFileSync(from, "utf8")) {
      throw new ConfigError("state", [
        {
          path: "backend",
          // The advice before the paths: a problem line is cut at 300 characters, and paths are long.
          message:
            `stack "${config.name}" has two different states. Nothing was changed. Keep the one that describes the running stack (\`${binary} show\` on each) ` +
            `at ${to} and delete the other; the one an earlier version wrote inside cdktf.out/ is ${from}`,
        },
      ]);
    }
    mkdirSync(dirname(to), { recursive: true, mode: PRIVATE_DIR });
    for (const suffix of ["", ".backup"]) {
      if (!existsSync(from + suffix)) continue;
      // Copy then rename: a cdktf.out/ on another filesystem than the project must not lose the file.
      copyFileSync(from + suffix, `${to}${suffix}.moving`);
      chmodSync(`${to}${suffix}.moving`, PRIVATE_FILE);
      renameSync(`${to}${suffix}.moving`, to + suffix);
      renameSync(from + suffix, `${from}${suffix}.moved`);
    }
    moved.push(`moved the state of stack "${config.name}" out of cdktf.out/ (which cdktf regenerates) to ${to}`);
  }
  return moved;
}

/** Creates the state folder owner-only and makes every state file in it owner-only. */
export function secureStateFiles(config: StackConfig, projectDir: string): void {
  const path = localStatePath(config, projectDir);
  if (!path) return;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if (dir === join(projectDir, LOCAL_STATE_DIR)) chmodSync(dir, PRIVATE_DIR);
  for (const file of readdirSync(dir)) {
    const full = join(dir, file);
    if (/\.tfstate(\.backup)?$|\.tfstate\.\d+\.backup$/.test(file) && statSync(full).isFile()) chmodSync(full, PRIVATE_FILE);
  }
}

/** Resources recorded in a local state file (0 when there is none). */
export function localStateResourceCount(config: StackConfig, projectDir: string): number | undefined {
  const path = localStatePath(config, projectDir);
  if (!path) return undefined;
  if (!existsSync(path)) return 0;
  const state = JSON.parse(readFileSync(path, "utf8")) as { resources?: unknown[] };
  return state.resources?.length ?? 0;
}
