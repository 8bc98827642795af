/**
 * Repeated runs of one `npm run deploy | destroy` in a checkout: its wall time, its steps (the
 * `phases` line LITELLM_STACK_PHASES=1 prints) and each resource's time inside the apply
 * (Terraform's own progress lines), as tables with a column per command.
 */
import { progressLines } from "../src/lifecycle/applied-changes";
import type { Checkout, CommandResult } from "../test/e2e/harness/checkout";
import { waitFor } from "../test/e2e/harness/wait";
import { median, seconds, table } from "./stats";

/** Polls every 100 ms until the proxy answers (the harness's waitFor keeps node alive meanwhile). */
export function untilServing(url: string, timeoutMs = 120_000): Promise<true> {
  return waitFor(url, timeoutMs, async () => ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok ? true : undefined), 100);
}

/** Every `phases` line of the run (the compile check prints its own), in order. */
function stepsOf(result: CommandResult): Record<string, number> {
  const lines = result.stderr.split("\n").filter((l) => l.startsWith("phases "));
  return Object.assign({}, ...lines.map((line) => JSON.parse(line.slice("phases ".length))));
}

/** `docker_container.litellm_container_7EDBBC99` -> `docker_container.litellm_container`: the same resource in every run. */
const resourceName = (address: string) => address.replace(/_[0-9A-F]{8}$/, "");

export class CommandSamples {
  readonly totals: number[] = [];
  readonly steps: Record<string, number[]> = {};
  readonly resources: Record<string, number[]> = {};

  constructor(private readonly checkout: Checkout, readonly label: string) {}

  /** Runs the command; fails the bench unless its last line matches `done`. Records it when `measured`. */
  async run(script: "deploy" | "destroy", measured: boolean, done: RegExp, env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
    const result = await this.checkout.npm(script, [], { LITELLM_STACK_PHASES: "1", ...env }, false);
    if (result.status !== 0 || !done.test(result.lastLine)) throw new Error(`npm run ${script} (${this.label}) ended "${result.lastLine}"\n${result.stderr.slice(-2000)}`);
    if (!measured) return result;
    this.totals.push(result.seconds * 1000);
    for (const [step, ms] of Object.entries(stepsOf(result))) (this.steps[step] ??= []).push(ms);
    for (const line of progressLines(result.stdout)) (this.resources[`${resourceName(line.address)}: ${line.action.toLowerCase()}`] ??= []).push(line.seconds * 1000);
    return result;
  }

  get median(): number {
    return median(this.totals);
  }

  /** The time no step accounts for: npm itself, and node's start-up for the compile check. */
  get rest(): number {
    return this.median - Object.values(this.steps).reduce((sum, values) => sum + median(values), 0);
  }
}

const cell = (values: readonly number[] | undefined) => (values && values.length > 0 ? seconds(median(values)) : "-");
const keysOf = (samples: readonly CommandSamples[], pick: (s: CommandSamples) => Record<string, number[]>) => [...new Set(samples.flatMap((s) => Object.keys(pick(s))))];

/** Median seconds of each step, a column per command. */
export function stepTable(samples: readonly CommandSamples[]): string {
  return table(
    ["step (median s)", ...samples.map((s) => s.label)],
    [
      ["npm itself (the rest)", ...samples.map((s) => seconds(s.rest))],
      ...keysOf(samples, (s) => s.steps).map((step) => [step, ...samples.map((s) => cell(s.steps[step]))]),
      ["total", ...samples.map((s) => seconds(s.median))],
    ],
  );
}

/** Median seconds of each resource's step inside the apply (whole seconds, as Terraform counts), a column per command. */
export function resourceTable(samples: readonly CommandSamples[]): string {
  return table(
    ["inside the apply: resource (Terraform's count, median s)", ...samples.map((s) => s.label)],
    keysOf(samples, (s) => s.resources)
      .sort()
      .map((resource) => [resource, ...samples.map((s) => cell(s.resources[resource]))]),
  );
}
