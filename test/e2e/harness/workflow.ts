/**
 * A GitHub Actions workflow file read as the runner reads it, so the suite runs the workflow's own
 * `run:` steps, conditions and environment instead of a copy that could drift from it. Only the
 * expressions the project's workflows use are understood; any other one fails the suite, naming it.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export interface WorkflowStep {
  readonly name: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly run?: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface WorkflowJob {
  readonly id: string;
  readonly needs: readonly string[];
  readonly if?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
  readonly steps: readonly WorkflowStep[];
}

export interface Workflow {
  /** The events that start it: push, schedule, workflow_dispatch... */
  readonly events: readonly string[];
  readonly jobs: readonly WorkflowJob[];
}

/** What expressions see: the event, the dispatch inputs, the secrets, earlier steps' and jobs' outputs. */
export interface ExpressionContext {
  readonly event: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly steps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly needs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const strings = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));

export function readWorkflow(file: string): Workflow {
  const doc = parse(readFileSync(file, "utf8")) as Record<string, any>;
  return {
    events: Object.keys(doc.on ?? {}),
    jobs: Object.entries(doc.jobs as Record<string, any>).map(([id, job]) => ({
      id,
      needs: [job.needs ?? []].flat(),
      if: job.if,
      env: strings(job.env),
      outputs: strings(job.outputs),
      steps: (job.steps as any[]).map((step, index) => ({
        name: step.name ?? step.run?.split("\n")[0] ?? step.uses ?? `step ${index + 1}`,
        id: step.id,
        if: step.if === undefined ? undefined : String(step.if),
        uses: step.uses,
        with: step.with,
        run: step.run,
        env: strings(step.env),
      })),
    })),
  };
}

/** The value of one `a.b.c` reference or quoted literal. */
function valueOf(term: string, ctx: ExpressionContext): string {
  const literal = /^'(.*)'$/.exec(term);
  if (literal) return literal[1];
  const path = term.split(".");
  switch (path[0]) {
    case "github":
      if (term === "github.event_name") return ctx.event;
      break;
    case "inputs":
      if (path.length === 2) return ctx.inputs[path[1]] ?? "";
      break;
    case "secrets":
      if (path.length === 2) return ctx.secrets[path[1]] ?? "";
      break;
    case "steps":
      if (path.length === 4 && path[2] === "outputs") return ctx.steps?.[path[1]]?.[path[3]] ?? "";
      break;
    case "needs":
      if (path.length === 4 && path[2] === "outputs") return ctx.needs?.[path[1]]?.[path[3]] ?? "";
      break;
  }
  throw new Error(`the suite does not understand the expression term "${term}"`);
}

/**
 * An `if:` condition: `a == 'b'`, `a != 'b'`, `always()`, joined by `||`. As on GitHub, a condition
 * without always() runs only while every earlier step succeeded.
 */
export function conditionHolds(condition: string | undefined, ctx: ExpressionContext, earlierFailed: boolean): boolean {
  if (condition === undefined) return !earlierFailed;
  const expression = condition.trim().replace(/^\$\{\{\s*(.*?)\s*\}\}$/, "$1");
  const terms = expression.split("||").map((t) => t.trim());
  if (terms.includes("always()")) return true;
  if (earlierFailed) return false;
  return terms.some((term) => {
    const match = /^(\S+)\s*(==|!=)\s*(\S+)$/.exec(term);
    if (!match) throw new Error(`the suite does not understand the condition "${term}"`);
    const equal = valueOf(match[1], ctx) === valueOf(match[3], ctx);
    return match[2] === "==" ? equal : !equal;
  });
}

/** A value with `${{ ... }}` references replaced. */
export function substitute(value: string, ctx: ExpressionContext): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, term: string) => valueOf(term, ctx));
}

/** Reads a $GITHUB_OUTPUT file (`name=value` lines). */
export function parseStepOutputs(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}
