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
  /** Changed outside Terraform (the refresh found it so), rather than by a configuration change. @default false */
  readonly outside?: boolean;
}

function actionOf(actions: readonly string[]): string | undefined {
  if (actions.includes("create") && actions.includes("delete")) return "replace";
  return actions.find((a) => a === "create" || a === "update" || a === "delete");
}

/** The resources the plan would change; no-op and read-only entries are not drift. */
export function driftedResources(plan: PlanJson): DriftedResource[] {
  const outside = new Set((plan.resource_drift ?? []).filter((rd) => actionOf(rd.change.actions)).map((rd) => rd.address));
  return (plan.resource_changes ?? []).flatMap((rc) => {
    const action = actionOf(rc.change.actions);
    return action ? [{ address: rc.address, action, ...(outside.has(rc.address) ? { outside: true } : {}) }] : [];
  });
}

/**
 * The last line of a drift check that found some: what differs, and what `npm run deploy` does
 * about it (brings back what was changed by hand; applies a configuration changed since the last deploy).
 */
export function describeDrift(stackName: string, drifted: readonly DriftedResource[]): string {
  const what = drifted.map((d) => `${d.address} (${d.action})`).join(", ");
  const byHand = drifted.filter((d) => d.outside).length;
  const next =
    byHand === drifted.length
      ? "`npm run deploy` brings it back"
      : byHand === 0
        ? "The configuration changed since the last deploy: `npm run deploy` applies it"
        : "`npm run deploy` brings back what was changed outside Terraform and applies the configuration";
  return `drift: stack "${stackName}" differs from its configuration: ${what}. ${next}`;
}
