/** The spend database is only deleted on purpose. */
import type { ConfigProblem } from "./config-error";
import type { StackConfig } from "./validate";

/**
 * Logical id of the state marker (`terraform_data.<id>`) whose input is the address of the protected
 * volume: written by the constructs, read by the plan guard (src/lifecycle/plan-guard.ts).
 */
export const DATA_PROTECTION_MARKER_ID = "data-protection";

/** `LITELLM_DELETE_DATA=yes`: the deliberate switch that lets a destroy delete a protected volume. */
export const DELETE_DATA_ENV = "LITELLM_DELETE_DATA";

export function dataDeletionAllowed(env: NodeJS.ProcessEnv): boolean {
  return env[DELETE_DATA_ENV] === "yes";
}

/**
 * Why a destroy must not start: with a protected volume Terraform would refuse anyway, and by then
 * the stack's virtual keys would already be gone. Checked before anything is touched.
 */
export function destroyRefusal(config: StackConfig, env: NodeJS.ProcessEnv): ConfigProblem[] {
  if (!config.database.enabled || !config.database.keepDataOnDestroy || dataDeletionAllowed(env)) return [];
  return [
    {
      path: "database.keepDataOnDestroy",
      message: `the spend database of "${config.name}" is protected: nothing was destroyed. To delete the stack with its data, run with ${DELETE_DATA_ENV}=yes`,
    },
  ];
}
