/**
 * What an apply did, from Terraform's own progress lines (`<address>: Destruction complete after
 * 2s`): the last line of a failed deploy says whether anything changed (a failure after a destroy
 * means part of the stack is gone), and `npm run bench -- deploy` says which resource the time went to.
 */
export interface AppliedChanges {
  readonly destroyed: readonly string[];
  readonly created: readonly string[];
  readonly modified: readonly string[];
}

export type ProgressAction = "Destruction" | "Creation" | "Modifications";

/** One finished step of an apply, with Terraform's own count of its time (whole seconds). */
export interface ProgressLine {
  readonly address: string;
  readonly action: ProgressAction;
  readonly seconds: number;
}

const PROGRESS = /^(\S+): (Destruction|Creation|Modifications) complete\b(?: after ((?:\d+h)?(?:\d+m)?\d+s))?/;
const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** Terraform's "1m5s" as seconds. */
const durationSeconds = (text: string) => [...text.matchAll(/(\d+)([hms])/g)].reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_SECONDS[unit], 0);

export function progressLines(output: string): ProgressLine[] {
  return output.split("\n").flatMap((line) => {
    const match = PROGRESS.exec(line.trim());
    return match ? [{ address: match[1], action: match[2] as ProgressAction, seconds: durationSeconds(match[3] ?? "") }] : [];
  });
}

export function appliedChanges(output: string): AppliedChanges {
  const lines = progressLines(output);
  const of = (action: ProgressAction) => lines.filter((line) => line.action === action).map((line) => line.address);
  return { destroyed: of("Destruction"), created: of("Creation"), modified: of("Modifications") };
}

/**
 * "before it failed, it had destroyed A; created B" or "it had changed nothing".
 * @param when what ended the apply @default "before it failed"
 */
export function describeAppliedChanges(changes: AppliedChanges, when = "before it failed"): string {
  const parts = [
    changes.destroyed.length > 0 ? `destroyed ${changes.destroyed.join(", ")}` : "",
    changes.created.length > 0 ? `created ${changes.created.join(", ")}` : "",
    changes.modified.length > 0 ? `updated ${changes.modified.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? `${when}, it had ${parts.join("; ")}` : "it had changed nothing";
}
