/**
 * Ctrl-C (SIGINT) or SIGTERM during `npm run deploy | destroy | drift`. Terraform, interrupted
 * once, finishes the operations in flight, writes its state, releases the state lock and stops its
 * provider plugins; killed, or cut off from the pipes it writes to, it leaves the lock (a remote
 * backend then refuses every run until `force-unlock`), a provider process and possibly a saved
 * plan that holds the stack's secrets.
 *
 * So the command does not die on the signal: it relays it, once, to the Terraform it runs (which
 * runs in a process group of its own, so a terminal's Ctrl-C does not reach it twice: a second
 * interrupt makes Terraform exit at once), waits for it to stop, deletes the plan, and says what
 * had changed. A second signal is relayed too, as a second Ctrl-C would be. With no Terraform
 * running, the command stops at once.
 */
import type { ChildProcess } from "node:child_process";

/** The exit code of a command stopped by SIGINT (128 + 2), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

export class InterruptRelay {
  private child?: ChildProcess;
  private received?: NodeJS.Signals;
  private readonly cleanups = new Set<() => void>();

  /**
   * @param exitNow what to do when a signal arrives while nothing is relayed to (the default ends the process)
   */
  constructor(private readonly exitNow: (signal: NodeJS.Signals) => void = () => process.exit(INTERRUPTED_EXIT_CODE)) {}

  /** Handles SIGINT and SIGTERM for this process from now on. */
  install(): this {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => this.receive(signal));
    return this;
  }

  /** The signal received, if any: the run was interrupted. */
  get signal(): NodeJS.Signals | undefined {
    return this.received;
  }

  receive(signal: NodeJS.Signals): void {
    this.received ??= signal;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      return;
    }
    for (const cleanup of this.cleanups) cleanup();
    this.exitNow(signal);
  }

  /**
   * Runs `cleanup` if the process stops on a signal while no Terraform runs (deleting a saved plan,
   * which holds secrets); the returned function withdraws it once the normal path has done it.
   */
  onAbruptExit(cleanup: () => void): () => void {
    this.cleanups.add(cleanup);
    return () => this.cleanups.delete(cleanup);
  }

  /** The Terraform process signals are relayed to, until it ends. */
  track(child: ChildProcess): void {
    this.child = child;
    child.on("close", () => {
      if (this.child === child) this.child = undefined;
    });
  }
}
