/**
 * Keys a deploy retired (removed from the configuration, or given a new value) and could not yet
 * revoke on the proxy. Their values are gone from state once Terraform applied, so their hashes are
 * kept here until a later deploy, `npm run keys -- reconcile` or a teardown revokes them. Hashes
 * only (not secret), beside the local state, owner-only.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { LOCAL_STATE_DIR } from "../terraform/state-backend";
import type { RetiredKey } from "./key-plan";

const ledgerSchema = z.array(z.object({ alias: z.string(), tokenHash: z.string().regex(/^[0-9a-f]{64}$/) }));

export function retiredKeysFile(projectDir: string, stackName: string): string {
  return join(projectDir, LOCAL_STATE_DIR, `${stackName}.retired-keys.json`);
}

export function readRetiredKeys(projectDir: string, stackName: string): RetiredKey[] {
  const file = retiredKeysFile(projectDir, stackName);
  if (!existsSync(file)) return [];
  const parsed = ledgerSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  return parsed.success ? parsed.data : [];
}

/** Records what is still to revoke (an empty list removes the file). */
export function writeRetiredKeys(projectDir: string, stackName: string, keys: readonly RetiredKey[]): void {
  const file = retiredKeysFile(projectDir, stackName);
  if (keys.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(join(projectDir, LOCAL_STATE_DIR), { recursive: true, mode: 0o700 });
  const once = [...new Map(keys.map((key) => [key.tokenHash, key])).values()];
  writeFileSync(file, `${JSON.stringify(once, null, 2)}\n`, { mode: 0o600 });
}
