import { Volume } from "@cdktf/provider-docker/lib/volume";
import { TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import type { StackConfig } from "../catalog/validate";
import { DATA_PROTECTION_MARKER_ID } from "../catalog/data-protection";
import { resourceNames, stackLabels } from "../specs/service-specs";
import { terraformLiteral as literal } from "./terraform-literal";

export interface DataVolumeProps {
  /** The validated configuration: the stack's name and `database.keepDataOnDestroy`. */
  readonly config: StackConfig;
  /**
   * Lets a destroy delete a volume protected by `database.keepDataOnDestroy`.
   * @default false
   */
  readonly allowDataDeletion?: boolean;
}

/**
 * The spend database's named volume, the same in both profiles. A protected volume makes `destroy`
 * fail instead of deleting it, and a `terraform_data` marker (built into Terraform, no provider to
 * install) records it in state, so the plan guard (src/lifecycle/plan-guard.ts) refuses any plan
 * that would delete it, whatever the configuration says by then. Added to the stack itself, at the
 * Terraform addresses earlier versions used.
 */
export function addDataVolume(scope: Construct, props: DataVolumeProps): Volume {
  const { config } = props;
  const volume = new Volume(scope, "postgres-data", {
    name: literal(resourceNames(config.name).volume),
    labels: Object.entries(stackLabels(config, "volume")).map(([label, value]) => ({ label: literal(label), value: literal(value) })),
    lifecycle: { preventDestroy: config.database.keepDataOnDestroy && !props.allowDataDeletion },
  });
  if (config.database.keepDataOnDestroy) addDataProtectionMarker(scope, [volume]);
  return volume;
}

/**
 * The state's record of what holds protected data (the plan guard refuses a plan deleting any of
 * them). One address is written as a string, so the container profiles' state keeps its bytes.
 */
export function addDataProtectionMarker(scope: Construct, holders: readonly TerraformResource[]): void {
  const addresses = holders.map((holder) => literal(`${holder.terraformResourceType}.${holder.friendlyUniqueId}`));
  const marker = new TerraformResource(scope, DATA_PROTECTION_MARKER_ID, { terraformResourceType: "terraform_data" });
  marker.addOverride("input", addresses.length === 1 ? addresses[0] : addresses);
}
