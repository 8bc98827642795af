/**
 * Whether `terraform init` has anything to do. It installs the providers the stack requires and
 * sets up its backend; both come from the synthesized `terraform` block and from Terraform's CLI
 * configuration (a provider mirror, a plugin cache). When none of these changed since the last init
 * that succeeded in the same folder, running it again only costs time (a Terraform process that
 * re-reads every installed provider). Pure: the caller reads the files and records the fingerprint.
 */
import { createHash } from "node:crypto";

export interface InitInputs {
  /** The synthesized cdk.tf.json. */
  readonly stackJson: string;
  /** The CLI configuration file's content (TF_CLI_CONFIG_FILE), if there is one. */
  readonly cliConfig?: string;
  /** The Terraform binary (terraform or tofu) and the variables that change where providers come from. */
  readonly binary: string;
  readonly pluginCacheDir?: string;
}

export function initFingerprint(inputs: InitInputs): string {
  const { terraform } = JSON.parse(inputs.stackJson) as { terraform?: unknown };
  const relevant = { terraform, cliConfig: inputs.cliConfig ?? null, binary: inputs.binary, pluginCacheDir: inputs.pluginCacheDir ?? null };
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex");
}
