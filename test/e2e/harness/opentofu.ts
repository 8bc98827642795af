/**
 * A real OpenTofu from ../shared/opentofu (its README): the binary unpacked into a cache outside
 * shared/, and a CLI configuration whose filesystem mirror serves the pinned providers under both
 * registry.opentofu.org/ (what tofu asks for) and registry.terraform.io/ (what terraform asks for).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROJECT_ROOT, providerMirror } from "./checkout";

export interface OpenTofu {
  /** The tofu binary's path. */
  readonly binary: string;
  /** A CLI configuration (TF_CLI_CONFIG_FILE) that serves both registries from the mirror. */
  readonly cliConfig: string;
}

const kit = () => resolve(process.env.OPENTOFU_KIT || join(PROJECT_ROOT, "..", "shared", "opentofu"));

/** The kit's script (run through bash: a read-only copy may have lost its run bits); its last line. */
function kitScript(script: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync("bash", [join(kit(), script)], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${join(kit(), script)} failed: ${result.stderr}`);
  return result.stdout.trim().split("\n").at(-1) as string;
}

/** Why OpenTofu cannot run here, or undefined. Decided at load time, so a skip prints its reason. */
export function openTofuUnavailableReason(): string | undefined {
  if (!existsSync(join(kit(), "install"))) return `no OpenTofu kit at ${kit()} (../shared/opentofu, or $OPENTOFU_KIT)`;
  if (!providerMirror()) return "no provider mirror (../shared/terraform-providers or $TERRAFORM_PROVIDER_MIRROR)";
  return undefined;
}

/** Unpacks (or reuses) the binary and the two-registry mirror view. */
export function installOpenTofu(): OpenTofu {
  const binary = kitScript("install");
  const cliConfig = kitScript("mirror-config", { TF_PROVIDER_MIRROR: providerMirror() });
  return { binary, cliConfig };
}
