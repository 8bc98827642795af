/**
 * A CI runner on this machine, as a hosted one runs a job: an unprivileged user of its own (no
 * access to the local Docker socket, its own ~/.ssh, which ssh reads from the passwd entry and
 * never from $HOME), a fresh workspace per job, and each `run:` step in
 * `bash --noprofile --norc -eo pipefail`, without a terminal.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "./checkout";
import { collectOutput, type CommandResult } from "./collect-output";

/** Why no runner user can be made here, or undefined. */
export function ciRunnerUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "making the runner's own user needs root (CI runs the suite as root)";
  if (spawnSync("useradd", ["--help"]).error) return "no useradd on this machine";
  return undefined;
}

/** The project's files as a checkout has them: tracked and new files (not ignored ones), as they are now. */
function projectFiles(): string[] {
  const listed = spawnSync("git", ["-C", PROJECT_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return [...new Set(listed.stdout.split("\0").filter(Boolean))].filter((file) => existsSync(join(PROJECT_ROOT, file)));
}

export class CiRunner {
  private jobs = 0;

  private constructor(
    readonly user: string,
    readonly home: string,
    readonly uid: number,
    readonly gid: number,
  ) {}

  /** @param user a new user name (at most 32 characters) */
  static create(user: string): CiRunner {
    const home = `/tmp/${user}`;
    const made = spawnSync("useradd", ["--create-home", "--home-dir", home, "--shell", "/bin/bash", "--user-group", user], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`useradd ${user}: ${made.stderr}`);
    const id = (flag: string) => Number(spawnSync("id", [flag, user], { encoding: "utf8" }).stdout.trim());
    return new CiRunner(user, home, id("-u"), id("-g"));
  }

  /** A fresh workspace with the project's files, owned by the runner (actions/checkout). */
  checkout(): string {
    this.jobs += 1;
    const workspace = join(this.home, "work", `job-${this.jobs}`);
    for (const file of projectFiles()) {
      mkdirSync(dirname(join(workspace, file)), { recursive: true });
      cpSync(join(PROJECT_ROOT, file), join(workspace, file));
    }
    this.own(join(this.home, "work"));
    return workspace;
  }

  /** Gives a path (recursively) to the runner. */
  own(path: string): void {
    spawnSync("chown", ["-R", `${this.uid}:${this.gid}`, path]);
    chmodSync(path, 0o755);
  }

  /** One `run:` step, as the runner user, with only the environment given (plus PATH, HOME, USER). */
  run(script: string, cwd: string, env: Readonly<Record<string, string>>): Promise<CommandResult> {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      cwd,
      uid: this.uid,
      gid: this.gid,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.home, USER: this.user, LANG: "C.UTF-8", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return collectOutput(child, Date.now());
  }

  remove(): void {
    spawnSync("pkill", ["-KILL", "-u", this.user]);
    spawnSync("userdel", ["--remove", this.user]);
    rmSync(this.home, { recursive: true, force: true });
  }
}
