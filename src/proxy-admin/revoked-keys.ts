/**
 * Values `keys reconcile` revoked while Terraform state still held them (the configuration had
 * dropped the key and no deploy had applied that yet). Should the configuration declare the alias
 * again, the synth gives its generated value these hashes as keepers, so Terraform draws a new
 * value instead of handing the revoked one back to the proxy. Hashes only (not secret), beside the
 * local state, owner-only; deleted with the stack.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { LOCAL_STATE_DIR } from "../terraform/state-backend";
import type { RetiredKey } from "./key-plan";

const ledgerSchema = z.record(z.string(), z.array(z.string().regex(/^[0-9a-f]{64}$/)));

export function revokedKeysFile(projectDir: string, stackName: string): string {
  return join(projectDir, LOCAL_STATE_DIR, `${stackName}.revoked-keys.json`);
}

/** alias -> the hashes of its values revoked while state held them, oldest first. */
export function readRevokedKeys(projectDir: string, stackName: string): Record<string, string[]> {
  const file = revokedKeysFile(projectDir, stackName);
  if (!existsSync(file)) return {};
  const parsed = ledgerSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  return parsed.success ? parsed.data : {};
}

/** Adds `keys` to the ledger (a hash already there is not added twice). */
export function recordRevokedKeys(projectDir: string, stackName: string, keys: readonly RetiredKey[]): void {
  if (keys.length === 0) return;
  const ledger = readRevokedKeys(projectDir, stackName);
  for (const { alias, tokenHash } of keys) {
    const hashes = ledger[alias] ?? [];
    if (!hashes.includes(tokenHash)) ledger[alias] = [...hashes, tokenHash];
  }
  mkdirSync(join(projectDir, LOCAL_STATE_DIR), { recursive: true, mode: 0o700 });
  writeFileSync(revokedKeysFile(projectDir, stackName), `${JSON.stringify(ledger, null, 2)}\n`, { mode: 0o600 });
}
