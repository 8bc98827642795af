import { spawnSync } from "node:child_process";

/** `docker <args>`, its trimmed stdout; throws with docker's stderr when it fails. */
export function docker(args: string[]): string {
  const result = spawnSync("docker", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`docker ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
}
