/**
 * The commands save a plan, check it, apply it and delete it (it holds the stack's secrets), so
 * Terraform's advice to apply that file later is left out of what they show. Checked against the
 * real Terraform's output (a configuration with no provider).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSavedPlanHint } from "../../src/lifecycle/terraform-runner";
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
