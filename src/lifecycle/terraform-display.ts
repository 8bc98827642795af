/**
 * What of Terraform's output a command shows. A first deploy prints some 600 lines (init, the
 * whole plan, every attribute); what a user follows is the progress of each resource, the plan's
 * count, what the keys step did, and warnings and errors. The full output goes to a log file whose
 * path is printed, and is shown whole with --verbose; on a failure its last lines are shown.
 */

/** full: every line (less the saved plan's advice); summary: the lines below; none: nothing. */
export type Display = "full" | "summary" | "none";

/** How many of a failed step's last lines a summary shows. */
export const FAILURE_TAIL_LINES = 40;

/**
 * Terraform's advice after a saved plan (`Saved the plan to: stack.tfplan`, `terraform apply
 * "stack.tfplan"`): the commands delete that file when the run ends (it holds secrets), so the
 * advice would name a file that is gone.
 */
export function isSavedPlanHint(line: string): boolean {
  return /^Saved the plan to: |^To perform exactly these actions, run the following command to apply:|^\s+(terraform|tofu) apply "[^"]*\.tfplan"$/.test(line);
}

const SUMMARY = [
  // A resource's progress: started, still going (every 10 s), done.
  /^\S+: (Creating|Destroying|Modifying|Still creating|Still destroying|Still modifying|Creation complete|Destruction complete|Modifications complete)\b/,
  // What the plan and the apply amount to.
  /^(Plan: \d+ to add|No changes\.|Apply complete!|Destroy complete!)/,
  // What a provisioner printed (the keys step: "created key openclaw"), not the command it ran.
  /\(local-exec\): (?!Executing: )\S/,
  // Warnings and errors, by their first line; an interrupt.
  /^(Warning|Error): /,
  /^(Interrupt received|Stopping operation)/,
];

export function isSummaryLine(line: string): boolean {
  return SUMMARY.some((pattern) => pattern.test(line));
}

/** Whether `display` shows the line. */
export function shows(display: Display, line: string): boolean {
  if (display === "none") return false;
  return display === "full" ? !isSavedPlanHint(line) : isSummaryLine(line);
}
