/**
 * Which program runs the stack's plans: Terraform or OpenTofu. The choice is CDKTF's own variable,
 * TERRAFORM_BINARY_NAME, so `cdktf deploy` and `npm run deploy` run the same program. Pure apart
 * from the PATH look-up, which is passed in.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export const BINARY_ENV = "TERRAFORM_BINARY_NAME";

export interface TerraformBinary {
  /** The command run: `terraform`, `tofu`, or a path to either. */
  readonly command: string;
  /** The program's own name, for messages: "Terraform" or "OpenTofu". */
  readonly product: "Terraform" | "OpenTofu";
  /** The registry its provider addresses name by default (what a provider mirror must serve). */
  readonly registry: "registry.terraform.io" | "registry.opentofu.org";
}

/** OpenTofu when the command's file name is `tofu` (a path or a versioned name such as tofu-1.12). */
export function binaryOf(command: string): TerraformBinary {
  const name = command.split("/").at(-1) ?? command;
  return /^tofu\b/.test(name)
    ? { command, product: "OpenTofu", registry: "registry.opentofu.org" }
    : { command, product: "Terraform", registry: "registry.terraform.io" };
}

/** Whether an executable of that name is on the PATH (looked up, never run: `version` may call out). */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || ".", command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * TERRAFORM_BINARY_NAME when set; else `terraform`, as CDKTF runs it, also when both are installed;
 * else `tofu` when only OpenTofu is installed (CDKTF's own commands then need the variable).
 */
export function chooseBinary(env: NodeJS.ProcessEnv, installed: (command: string) => boolean = (command) => onPath(command, env)): TerraformBinary {
  const named = env[BINARY_ENV]?.trim();
  if (named) return binaryOf(named);
  if (!installed("terraform") && installed("tofu")) return binaryOf("tofu");
  return binaryOf("terraform");
}
