/**
 * The last check before Terraform changes anything: a saved plan (`terraform show -json`) that
 * would delete protected data is refused. Protection is read from the state the plan starts from
 * (a marker resource naming what it protects), not from the configuration, so neither
 * `database.enabled: false`, nor turning the switch off and deleting in the same deploy, nor a
 * renamed stack on a shared backend deletes the spend database in passing.
 */

import { DATA_PROTECTION_MARKER_ID } from "../catalog/data-protection";

export { DATA_PROTECTION_MARKER_ID };
export const DATA_PROTECTION_MARKER = `terraform_data.${DATA_PROTECTION_MARKER_ID}`;

interface PlanResource {
  readonly address: string;
  readonly values?: { readonly input?: unknown };
}

/** The parts of Terraform's JSON plan format this reads. */
export interface PlanJson {
  readonly prior_state?: { readonly values?: { readonly root_module?: { readonly resources?: readonly PlanResource[] } } };
  readonly resource_changes?: readonly { readonly address: string; readonly change: { readonly actions: readonly string[] } }[];
  /** What the refresh found changed outside Terraform (by hand, by the engine). */
  readonly resource_drift?: readonly { readonly address: string; readonly change: { readonly actions: readonly string[] } }[];
}

/** Addresses the plan would delete (or replace) although the state it starts from protects them. */
export function protectedDeletions(plan: PlanJson): string[] {
  const marker = plan.prior_state?.values?.root_module?.resources?.find((r) => r.address === DATA_PROTECTION_MARKER);
  if (!marker) return [];
  const protectedAddresses = new Set([marker.values?.input].flat().filter((a): a is string => typeof a === "string"));
  return (plan.resource_changes ?? [])
    .filter((rc) => protectedAddresses.has(rc.address) && rc.change.actions.includes("delete"))
    .map((rc) => rc.address);
}
