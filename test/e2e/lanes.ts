/**
 * Which end-to-end files run side by side. Much of the suite waits for containers to boot, so
 * files that share nothing (names, ports, state, labels) run in lanes side by side, each lane
 * running its files one after another. What a lane holds, and why:
 */
import { readdirSync } from "node:fs";

export interface Lane {
  readonly name: string;
  /** File names under test/e2e, run in this order. */
  readonly files: readonly string[];
}

export const LANES: readonly Lane[] = [
  // The single-node swarm's users (rolling updates under load, counted rate limits), never beside
  // each other: the real path's swarm part, the swarm harness, Redis shared by workers, backups on swarm.
  { name: "swarm", files: ["real-path.e2e.test.ts", "swarm.e2e.test.ts", "redis.e2e.test.ts", "backup-swarm.e2e.test.ts"] },
  // A second engine over ssh and S3 of its own (the longest single file); then files that need only
  // names and ports of their own, routing last (its cooldowns are timed, not its load).
  { name: "remote", files: ["shared-proxy.e2e.test.ts", "failed-start.e2e.test.ts", "recordings.e2e.test.ts", "routing.e2e.test.ts"] },
  // One stack each on the local engine, and state backends of their own.
  { name: "local", files: ["stack.e2e.test.ts", "remote-state.e2e.test.ts", "opentofu.e2e.test.ts", "keys.e2e.test.ts", "experiments.e2e.test.ts"] },
];

/**
 * After the lanes, with nothing beside them: the database's catalog changes on a machine that the
 * file itself holds busy (two busy loops), which would starve every lane beside it.
 */
export const ALONE: Lane = {
  name: "alone",
  // Then, with the machine to themselves too, the files whose LiteLLM boots and OpenClaw agent turns
  // (seconds of CPU each) pushed the lanes' boots past their 300 s health timeout on 2 cores:
  // a new user's first run (OpenClaw, installed by stack.e2e in the local lane), cdktf's own
  // commands, Ctrl-C mid-deploy.
  // Last, the kubernetes profile on the real cluster (.ci/run brings it up once): rollouts under
  // load that count every failed request, and a cluster's daemons beside LiteLLM's pods.
  files: ["database.e2e.test.ts", "first-run.e2e.test.ts", "cdktf-commands.e2e.test.ts", "interrupts.e2e.test.ts", "kubernetes.e2e.test.ts"],
};

/** The e2e files on disk, by name. */
export function e2eFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".e2e.test.ts"))
    .sort();
}

/** Every file in exactly one lane, and no lane naming a file that is not there: else what is wrong. */
export function laneProblems(lanes: readonly Lane[], files: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const lane of lanes) {
    for (const file of lane.files) {
      const other = seen.get(file);
      if (other) problems.push(`${file} is in two lanes: ${other} and ${lane.name}`);
      seen.set(file, lane.name);
      if (!files.includes(file)) problems.push(`lane ${lane.name} names ${file}, which is not in test/e2e`);
    }
  }
  for (const file of files) {
    if (!seen.has(file)) problems.push(`${file} is in no lane: add it to LANES in test/e2e/lanes.ts`);
  }
  return problems;
}

/** What jest's --json report says of one file (the fields used here). */
export interface JestFileResult {
  readonly name: string;
  /** "failed" also when the file could not run at all (no test results then). */
  readonly status: string;
  /** Epoch milliseconds. */
  readonly startTime: number;
  readonly endTime: number;
  /** Why the file failed when no test did (an import, a hook). */
  readonly message?: string;
  readonly assertionResults: readonly {
    readonly status: string;
    readonly fullName?: string;
    readonly failureMessages?: readonly string[];
  }[];
}

export interface FileTiming {
  readonly lane: string;
  readonly file: string;
  readonly seconds: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** One row per file of a lane's jest report. */
export function fileTimings(lane: string, results: readonly JestFileResult[]): FileTiming[] {
  return results.map((result) => {
    const count = (status: string) => result.assertionResults.filter((a) => a.status === status).length;
    return {
      lane,
      file: result.name.split("/").at(-1) as string,
      seconds: (result.endTime - result.startTime) / 1000,
      passed: count("passed"),
      // A file that failed before any test ran (its set-up, its import) counts as one failure.
      failed: count("failed") || (result.status === "failed" ? 1 : 0),
      // jest's "skipped": skipped, pending and todo tests alike.
      skipped: count("pending") + count("skipped") + count("todo") + count("disabled"),
    };
  });
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** A failure's first lines, without colours: what CI's tail must show of it. */
function firstLines(text: string, count: number): string {
  return text
    .replace(ANSI, "")
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "")
    .slice(0, count)
    .map((line) => `    ${line}`)
    .join("\n");
}

/**
 * Each failed test of a report, named and with the first lines of its error, so that the end of a
 * CI log says what failed even when the lane's own output has scrolled out of it.
 */
export function failureSummary(lane: string, results: readonly JestFileResult[], lines = 8): string[] {
  return results.flatMap((result) => {
    const file = result.name.split("/").at(-1) as string;
    const failed = result.assertionResults.filter((a) => a.status === "failed");
    if (failed.length === 0 && result.status === "failed") {
      return [`FAILED [${lane}] ${file}: the file did not run\n${firstLines(result.message ?? "(no message)", lines)}`];
    }
    return failed.map((a) => `FAILED [${lane}] ${file} › ${a.fullName ?? "(unnamed)"}\n${firstLines((a.failureMessages ?? []).join("\n") || "(no message)", lines)}`);
  });
}

/** A fixed-width table of the files' times, the longest first. */
export function timingTable(rows: readonly FileTiming[]): string {
  const sorted = [...rows].sort((a, b) => b.seconds - a.seconds);
  const width = Math.max(4, ...sorted.map((r) => r.file.length));
  const lines = sorted.map(
    (r) => `${r.file.padEnd(width)}  ${r.lane.padEnd(14)}  ${(r.seconds / 60).toFixed(1).padStart(5)} min  ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`,
  );
  return [`${"file".padEnd(width)}  ${"lane".padEnd(14)}  ${"time".padStart(9)}  tests`, ...lines].join("\n");
}
