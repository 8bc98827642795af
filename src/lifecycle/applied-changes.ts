/**
 * What an apply had already done when it failed, from Terraform's own progress lines
 * (`<address>: Destruction complete after 2s`), so that the last line of a failed deploy says
 * whether anything changed: a failure after a destroy means part of the stack is gone.
 */
export interface AppliedChanges {
  readonly destroyed: readonly string[];
  readonly created: readonly string[];
  readonly modified: readonly string[];
}

const PROGRESS = /^(\S+): (Destruction|Creation|Modifications) complete\b/;

export function appliedChanges(output: string): AppliedChanges {
  const changes = { destroyed: [] as string[], created: [] as string[], modified: [] as string[] };
  for (const line of output.split("\n")) {
    const match = PROGRESS.exec(line.trim());
    if (!match) continue;
    const list = match[2] === "Destruction" ? changes.destroyed : match[2] === "Creation" ? changes.created : changes.modified;
    list.push(match[1]);
  }
  return changes;
}

/** "it had already destroyed A; created B" or "it had changed nothing". */
export function describeAppliedChanges(changes: AppliedChanges): string {
  const parts = [
    changes.destroyed.length > 0 ? `destroyed ${changes.destroyed.join(", ")}` : "",
    changes.created.length > 0 ? `created ${changes.created.join(", ")}` : "",
    changes.modified.length > 0 ? `updated ${changes.modified.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? `before it failed, it had ${parts.join("; ")}` : "it had changed nothing";
}
