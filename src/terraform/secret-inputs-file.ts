/**
 * The deployer's secrets for a Terraform run no deploy script started (`cdktf deploy`, `terraform
 * apply` in the stack's folder, OpenTofu alike). Terraform reads no environment variable but
 * `TF_VAR_*`, so the synth, which runs in the deployer's shell, writes the secrets set there into a
 * file beside the state, and the configuration reads that file at plan time (`TF_VAR_*` still wins).
 *
 * Never under cdktf.out/. Owner-only in the owner-only state folder: as private as the state,
 * which holds the same values. Rewritten by every synth (removed when none is set, as an unset
 * `TF_VAR_*` falls back to the generated value) and removed by a destroy.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ConfigProblem } from "../catalog/config-error";
import { MASTER_KEY_ENV } from "../catalog/env-names";
import { LOCAL_STATE_DIR } from "./state-backend";

/** Where a stack's secret inputs are kept (`<checkout>/terraform-state/<stack>.secrets.json`). */
export function secretInputsFile(projectDir: string, stackName: string): string {
  return join(projectDir, LOCAL_STATE_DIR, `${stackName}.secrets.json`);
}

/** The secrets of `names` set (non-empty) in the environment, by name. */
export function secretInputValues(names: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])));
}

/**
 * What Terraform's own validation says of TF_VAR_LITELLM_MASTER_KEY, said of the environment's
 * value before anything is synthesized (a value from the file meets no variable validation).
 */
export function secretInputProblems(env: NodeJS.ProcessEnv): ConfigProblem[] {
  const masterKey = env[MASTER_KEY_ENV];
  if (!masterKey || (masterKey.startsWith("sk-") && masterKey !== "sk-1234")) return [];
  return [{ path: MASTER_KEY_ENV, message: 'must start with "sk-" and must not be the documentation\'s sk-1234: write it as sk-<random letters and digits>' }];
}

/** Writes the file owner-only (removes it when `values` is empty); never leaves a partial file. */
export function writeSecretInputs(file: string, values: Readonly<Record<string, string>>): void {
  if (Object.keys(values).length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.${process.pid}.partial`;
  try {
    writeFileSync(partial, `${JSON.stringify(values)}\n`, { mode: 0o600 });
    chmodSync(partial, 0o600); // an umask cannot widen it, but a leftover file of that name could be wider
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
}
