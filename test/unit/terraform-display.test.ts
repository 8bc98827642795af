/**
 * What of Terraform's output the commands show, checked against the real Terraform's output (a
 * configuration with no provider): the summary of an apply, and never the saved plan's advice
 * (the commands delete the plan when the run ends: it holds the stack's secrets).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSavedPlanHint, shows } from "../../src/lifecycle/terraform-display";
import { terraformAvailable, terraformBinary } from "../support/terraform-evaluate";

if (!terraformAvailable) process.stderr.write(`SKIPPED (the saved plan's hint): no \`${terraformBinary}\` binary on PATH\n`);
const realTest = terraformAvailable ? test : test.skip;

realTest("the advice after a saved plan is recognised in the real output, and nothing else of it", () => {
  const dir = mkdtempSync(join(tmpdir(), "plan-hint-"));
  try {
    writeFileSync(join(dir, "main.tf"), 'resource "terraform_data" "x" { input = "a" }\n');
    const env = { PATH: process.env.PATH ?? "", HOME: dir, CHECKPOINT_DISABLE: "1" };
    const run = (args: string[]) => spawnSync(terraformBinary, args, { cwd: dir, env, encoding: "utf8" });
    expect(run(["init", "-input=false", "-no-color"]).status).toBe(0);
    const plan = run(["plan", "-input=false", "-no-color", "-out=stack.tfplan"]);
    expect(plan.status).toBe(0);
    const hint = plan.stdout.split("\n").filter(isSavedPlanHint);
    expect(hint).toEqual([
      "Saved the plan to: stack.tfplan",
      "To perform exactly these actions, run the following command to apply:",
      `    ${terraformBinary} apply "stack.tfplan"`,
    ]);
    expect(plan.stdout.split("\n").filter((line) => !isSavedPlanHint(line)).join("\n")).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

realTest("an apply's summary: each resource's progress, the plan's count, what a provisioner printed, the end; no plan body, no command", () => {
  const dir = mkdtempSync(join(tmpdir(), "summary-"));
  try {
    writeFileSync(
      join(dir, "main.tf"),
      'resource "terraform_data" "keys" {\n  input = "a"\n  provisioner "local-exec" {\n    command = "echo created key openclaw"\n  }\n}\n',
    );
    const env = { PATH: process.env.PATH ?? "", HOME: dir, CHECKPOINT_DISABLE: "1" };
    const run = (args: string[]) => spawnSync(terraformBinary, args, { cwd: dir, env, encoding: "utf8" });
    expect(run(["init", "-input=false", "-no-color"]).status).toBe(0);
    const apply = run(["apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(apply.status).toBe(0);
    const all = apply.stdout.split("\n");
    const summary = all.filter((line) => shows("summary", line));
    expect(summary).toEqual([
      "Plan: 1 to add, 0 to change, 0 to destroy.",
      "terraform_data.keys: Creating...",
      "terraform_data.keys (local-exec): created key openclaw",
      expect.stringMatching(/^terraform_data\.keys: Creation complete after \d+s \[id=/),
      "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
    ]);
    expect(all.length).toBeGreaterThan(summary.length + 10); // the plan's body and the command are left out
    expect(all.filter((line) => shows("full", line))).toEqual(all);
    expect(all.filter((line) => shows("none", line))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
