/**
 * What a restore of a backup of this same stack brought back (`npm run restore`): the master key
 * and the virtual key values of the stack the backup was taken from. The synth hands them to
 * Terraform through the secret inputs file, where they win over the generated values, so the keys
 * in the restored database are this stack's keys again, with their spend and budgets, and the
 * admin key is the one its users had. Owner-only beside the local state; deleted with the stack.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { MASTER_KEY_ENV } from "../catalog/env-names";
import { LOCAL_STATE_DIR } from "./state-backend";

const keyValue = z.string().regex(/^sk-[A-Za-z0-9_-]+$/);
const restoredSchema = z.object({ masterKey: keyValue.optional(), keys: z.record(z.string(), keyValue) });
export type RestoredKeys = z.infer<typeof restoredSchema>;

/** The secret inputs file's name for a key's value (not an environment variable: no user sets it). */
export function restoredKeyInput(alias: string): string {
  return `virtual_key.${alias}`;
}

export function restoredKeysFile(projectDir: string, stackName: string): string {
  return join(projectDir, LOCAL_STATE_DIR, `${stackName}.restored-keys.json`);
}

/** As the last restore left them (none: no keys). */
export function readRestoredKeys(projectDir: string, stackName: string): RestoredKeys {
  const file = restoredKeysFile(projectDir, stackName);
  if (!existsSync(file)) return { keys: {} };
  const parsed = restoredSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  return parsed.success ? parsed.data : { keys: {} };
}

/** Writes them owner-only (removes the file when there is nothing left to hand over). */
export function writeRestoredKeys(projectDir: string, stackName: string, restored: RestoredKeys): void {
  const file = restoredKeysFile(projectDir, stackName);
  if (!restored.masterKey && Object.keys(restored.keys).length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(join(projectDir, LOCAL_STATE_DIR), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(restored, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Drops the values of `aliases`: a key the configuration no longer declares, or that was revoked,
 * must come back with a new value, never the restored one.
 */
export function forgetRestoredKeys(projectDir: string, stackName: string, aliases: readonly string[]): void {
  const restored = readRestoredKeys(projectDir, stackName);
  if (!Object.keys(restored.keys).some((alias) => aliases.includes(alias))) return;
  const keys = Object.fromEntries(Object.entries(restored.keys).filter(([alias]) => !aliases.includes(alias)));
  writeRestoredKeys(projectDir, stackName, { ...restored, keys });
}

/**
 * The secret inputs a synth adds: the master key (under its variable's name: the environment's
 * own LITELLM_MASTER_KEY, handed over after these, still wins) and `virtual_key.<alias>` -> value
 * for the aliases the configuration declares; the others are forgotten first.
 */
export function restoredKeyInputs(projectDir: string, stackName: string, declared: readonly string[]): Record<string, string> {
  const restored = readRestoredKeys(projectDir, stackName);
  const undeclared = Object.keys(restored.keys).filter((alias) => !declared.includes(alias));
  if (undeclared.length > 0) forgetRestoredKeys(projectDir, stackName, undeclared);
  return {
    ...(restored.masterKey ? { [MASTER_KEY_ENV]: restored.masterKey } : {}),
    ...Object.fromEntries(
      Object.entries(restored.keys)
        .filter(([alias]) => declared.includes(alias))
        .map(([alias, value]) => [restoredKeyInput(alias), value]),
    ),
  };
}
