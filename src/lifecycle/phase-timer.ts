/**
 * Where a deploy's time goes: each step's wall time, printed as one JSON line on stderr when
 * LITELLM_STACK_PHASES=1 (what `npm run bench -- deploy` reads), so a regression shows where it lives.
 */
export const PHASES_ENV = "LITELLM_STACK_PHASES";

export class PhaseTimer {
  private readonly phases: [string, number][] = [];

  /** Runs `step`, adding its time to `name` (a phase may run more than once). */
  async time<T>(name: string, step: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await step();
    } finally {
      this.add(name, performance.now() - started);
    }
  }

  /** Adds time measured elsewhere (say, from the process's start) to `name`. */
  add(name: string, ms: number): void {
    const known = this.phases.find(([phase]) => phase === name);
    if (known) known[1] += ms;
    else this.phases.push([name, ms]);
  }

  /** Milliseconds per phase, in the order the phases first ran. */
  get totals(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.phases.map(([name, ms]) => [name, Math.round(ms)]));
  }

  report(env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (line) => process.stderr.write(line)): void {
    if (env[PHASES_ENV] === "1") write(`phases ${JSON.stringify(this.totals)}\n`);
  }
}
