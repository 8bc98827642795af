/**
 * What every renderer (containers, swarm) is handed and hands back: the contract that makes them
 * siblings. Each turns the same configuration and secrets into its own resources.
 */
import type { TerraformResource } from "cdktf";
import type { StackConfig } from "../catalog/validate";
import type { StackSecrets } from "./service-specs";

export interface ProfileProps {
  /** The validated configuration. */
  readonly config: StackConfig;
  /** The stack's secrets, as Terraform values (see SecretInputs). */
  readonly secrets: StackSecrets;
  /**
   * Lets a destroy delete a data volume protected by `database.keepDataOnDestroy`.
   * @default false
   */
  readonly allowDataDeletion?: boolean;
}

/** What a profile hands back to the stack. */
export interface ProfileResources {
  /** What serves the proxy at its base URL once created: the step that manages keys comes after it. */
  readonly proxy: TerraformResource & { readonly id: string };
  /** What runs the stack's Postgres, where keys live (absent without the database). */
  readonly database?: TerraformResource & { readonly id: string };
}
