/**
 * What a drift check found, from the saved plan's JSON: the resources whose real state no longer
 * matches the configuration (a container removed by hand, a changed setting), each with what
 * `npm run deploy` would do about it.
 */
import type { PlanJson } from "./plan-guard";

export interface DriftedResource {
  readonly address: string;
  /** Terraform's words for what the next apply does: create, update, replace, delete. */
  readonly action: string;
}

function actionOf(actions: readonly string[]): string | undefined {
  if (actions.includes("create") && actions.includes("delete")) return "replace";
  return actions.find((a) => a === "create" || a === "update" || a === "delete");
}

/** The resources the plan would change; no-op and read-only entries are not drift. */
export function driftedResources(plan: PlanJson): DriftedResource[] {
  return (plan.resource_changes ?? []).flatMap((rc) => {
    const action = actionOf(rc.change.actions);
    return action ? [{ address: rc.address, action }] : [];
  });
}

/** The last line of a drift check that found some: what differs, and the command that brings it back. */
export function describeDrift(stackName: string, drifted: readonly DriftedResource[]): string {
  const what = drifted.map((d) => `${d.address} (${d.action})`).join(", ");
  return `drift: stack "${stackName}" differs from its configuration: ${what}. \`npm run deploy\` brings it back`;
}
