/**
 * The stack's master key and virtual key values at the time of a backup, beside the dump (the
 * dump holds only the keys' hashes): what lets a restore into the same stack make those keys the
 * stack's again, so that `keys get` prints the key users already hold. Owner-only, as the dump; a secret the user
 * asked to keep, which a destroy does not delete.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";

const sidecarSchema = z.object({ stack: z.string(), masterKey: z.string().optional(), keys: z.record(z.string(), z.string()) });
export type BackupKeys = z.infer<typeof sidecarSchema>;

/** backups/<stack>/<stack>-<time>.dump -> backups/<stack>/<stack>-<time>.keys.json */
export function backupKeysFile(dumpPath: string): string {
  return dumpPath.replace(/(\.dump)?$/, ".keys.json");
}

export function writeBackupKeys(dumpPath: string, content: BackupKeys): void {
  writeFileSync(backupKeysFile(dumpPath), `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: "wx" });
}

/** What the backup kept, or undefined when it kept nothing (no keys then) or the file is not one. */
export function readBackupKeys(dumpPath: string): BackupKeys | undefined {
  const file = backupKeysFile(dumpPath);
  if (!existsSync(file)) return undefined;
  const parsed = sidecarSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  return parsed.success ? parsed.data : undefined;
}
