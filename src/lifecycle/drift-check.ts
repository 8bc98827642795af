/**
 * The scheduled drift check a team's CI runs (`npm run drift`): the real plan of the deployed
 * stack against its configuration, changing nothing. Exit codes as `terraform plan
 * -detailed-exitcode`: 0 no drift, 2 drift (the last line names each resource), 1 failed.
 */
import { join } from "node:path";
import { rmSync } from "node:fs";
import { describeDrift, driftedResources } from "./drift";
import { failure, type LifecycleOptions, type Outcome, prepare } from "./stack-lifecycle";
import { secureStateFiles } from "./state-files";
import { TerraformRunner } from "./terraform-runner";

/** Exit code of a check that found drift, as Terraform's -detailed-exitcode. */
export const DRIFT_EXIT_CODE = 2;

export async function checkDrift(options: LifecycleOptions): Promise<Outcome> {
  const terraform = await prepare(options);
  if (!(terraform instanceof TerraformRunner)) return terraform;
  // Saved only to be read as JSON, and removed at once: a plan holds the stack's secrets.
  const planFile = join(terraform.stackDir, "drift.tfplan");
  try {
    const plan = await terraform.plan(planFile, false);
    secureStateFiles(options.config, options.projectDir);
    if (plan.status === 1) return failure(terraform.binary, "plan", plan.output);
    if (plan.status === 0) return { code: 0, summary: `no drift: stack "${options.config.name}" matches its configuration` };
    const drifted = driftedResources(await terraform.showPlan(planFile));
    return { code: DRIFT_EXIT_CODE, summary: describeDrift(options.config.name, drifted) };
  } finally {
    rmSync(planFile, { force: true });
  }
}
