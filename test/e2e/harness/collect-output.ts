/** A child process's output, collected until it ends: what the harness's command runners return. */
import type { ChildProcess } from "node:child_process";

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The last non-empty line printed (stdout or stderr): the one that says how the run ended. */
  readonly lastLine: string;
  readonly seconds: number;
}

/** The last non-empty line of a text. */
export const lastLineOf = (text: string): string => text.split("\n").map((l) => l.trim()).filter(Boolean).at(-1) ?? "";

/** Resolves when the child (spawned with piped stdout and stderr) has ended. */
export function collectOutput(child: ChildProcess, startedMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    // The commands print how they ended last, on whichever stream: the last line to arrive (a
    // warning printed on stderr at the start must not stand for a drift line printed on stdout).
    let last = "";
    const keepLast = (text: string) => (last = lastLineOf(text) || last);
    child.stdout?.on("data", (chunk: Buffer) => keepLast((stdout += chunk.toString("utf8"))));
    child.stderr?.on("data", (chunk: Buffer) => keepLast((stderr += chunk.toString("utf8"))));
    child.on("close", (code) => {
      resolve({ status: code ?? 1, stdout, stderr, lastLine: last, seconds: (Date.now() - startedMs) / 1000 });
    });
  });
}
