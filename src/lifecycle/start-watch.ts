/**
 * Watches the stack's containers while Terraform creates them. kreuzwerker/docker's `wait` only
 * ends when the healthcheck passes or `wait_timeout` (300 s for LiteLLM) runs out, and a LiteLLM
 * that exits at start is restarted forever by its restart policy. A container that exits or
 * restarts is reported within seconds of its first failed start, with the tail of its log.
 */
import { printable } from "../catalog/config-error";
import { redactKeys } from "../proxy-admin/bounded-http";
import { docker, type DockerTarget } from "./docker-engine";
import { pollUntilStopped } from "./poll-watch";

export interface FailedStart {
  readonly container: string;
  readonly exitCode: number;
  readonly restarts: number;
  /** The last lines the container printed. */
  readonly logTail: string;
}

interface InspectedState {
  readonly Name: string;
  readonly Created: string;
  readonly RestartCount: number;
  readonly State: { readonly Status: string; readonly ExitCode: number; readonly Restarting: boolean };
}

/** Whether an inspected container has failed to start since `sinceMs` (a container from before is not ours to judge). */
export function hasFailedStart(inspected: InspectedState, sinceMs: number): boolean {
  if (Date.parse(inspected.Created) < sinceMs - 2_000) return false;
  const { Status, ExitCode, Restarting } = inspected.State;
  return inspected.RestartCount > 0 || Restarting || (Status === "exited" && ExitCode !== 0) || Status === "dead";
}

export interface StartWatch {
  /** Resolves with the first failed start seen, or undefined once stopped. */
  readonly failure: Promise<FailedStart | undefined>;
  stop(): void;
}

/**
 * Polls `docker inspect` of the named containers every `intervalMs` until stopped or one fails.
 * @param sinceMs only containers created after this count (the ones this deploy creates)
 */
export function watchStarts(names: readonly string[], sinceMs: number, target: DockerTarget = {}, intervalMs = 1_000): StartWatch {
  const watch = pollUntilStopped(async (): Promise<FailedStart | undefined> => {
    const result = await docker(["inspect", "--format", "{{json .}}", ...names], target);
    // Containers not created yet make inspect exit 1; the others are still printed.
    for (const line of result.stdout.split("\n").filter((l) => l.startsWith("{"))) {
      const inspected = JSON.parse(line) as InspectedState;
      if (!hasFailedStart(inspected, sinceMs)) continue;
      const name = inspected.Name.replace(/^\//, "");
      const logs = await docker(["logs", "--tail", "15", name], target);
      return {
        container: name,
        exitCode: inspected.State.ExitCode,
        restarts: inspected.RestartCount,
        logTail: `${logs.stdout}${logs.stderr}`.trimEnd(),
      };
    }
    return undefined;
  }, intervalMs);
  return { failure: watch.found, stop: watch.stop };
}

/** Keeps a failed container from restarting forever: it stays, stopped, for `docker logs`. */
export async function stopRestarting(container: string, target: DockerTarget = {}): Promise<void> {
  await docker(["update", "--restart=no", container], target);
  await docker(["stop", "--time", "5", container], target, 30_000);
}

/** A container's line, safe to print: no key values (`sk-...`), no terminal control characters. */
function safeLogLine(line: string): string {
  return printable(redactKeys(line));
}

export function describeFailedStart(failure: FailedStart): string {
  const log = failure.logTail ? failure.logTail.split("\n").map((line) => `  | ${safeLogLine(line)}`).join("\n") : "  | (it printed nothing)";
  return (
    `${failure.container} exited at start (exit code ${failure.exitCode}${failure.restarts ? `, restarted ${failure.restarts}x` : ""}); its last lines:\n${log}\n` +
    `It was stopped so that it does not restart forever. Fix the cause (an upstream setting, the database, the config), then run the deploy again: the failed container is replaced.`
  );
}
