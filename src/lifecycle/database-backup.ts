/**
 * `npm run backup`: a consistent dump of the stack's spend database, taken by Postgres' own
 * pg_dump inside the running Postgres container (the container profile's, or the swarm task's),
 * in custom format, to a file only its owner can read; then read back by pg_restore to prove it
 * whole. The pure parts (where the file goes, the row counts, the summary) are exported for tests.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { StackConfig } from "../catalog/validate";
import { AdminError } from "../proxy-admin/litellm-admin";
import { LABEL_PREFIX } from "../specs/service-specs";
import { backupKeysFile, writeBackupKeys } from "./backup-keys";
import { type CommandFile, docker, type DockerTarget } from "./docker-engine";

/** Beside the checkout, ignored by git; one folder per stack, owner-only. */
export const BACKUP_DIR = "backups";

/** What a backup counts: the tables a team's billing record and its keys live in. */
export const COUNTED_TABLES = [
  { label: "keys", table: "LiteLLM_VerificationToken" },
  { label: "spend logs", table: "LiteLLM_SpendLogs" },
  { label: "budgets", table: "LiteLLM_BudgetTable" },
] as const;

export type RowCounts = Record<(typeof COUNTED_TABLES)[number]["label"], number>;

export interface Backup {
  readonly path: string;
  readonly bytes: number;
  readonly counts: RowCounts;
  /** Tables whose data pg_restore lists in the file. */
  readonly tables: number;
  /** The master key and key values kept beside it. */
  readonly keysFile?: string;
}

/** backups/<stack>/<stack>-<UTC time>[-<kind>].dump: sorted by name is sorted by time. */
export function backupPath(projectDir: string, stackName: string, now: Date, kind?: string): string {
  // To the millisecond: two backups in one second (a deploy's, then yours) never meet.
  const stamp = now.toISOString().replace(/[-:]/g, "");
  return join(projectDir, BACKUP_DIR, stackName, `${stackName}-${stamp}${kind ? `-${kind}` : ""}.dump`);
}

/**
 * What a destroy says it left: the stack's backups, which hold its key values beside the dumps. Kept
 * (a backup is what a user keeps past a destroy), and said, so that nothing secret stays unnoticed.
 */
export function keptBackupsLine(projectDir: string, stackName: string): string | undefined {
  const folder = join(projectDir, BACKUP_DIR, stackName);
  const dumps = existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith(".dump")) : [];
  if (dumps.length === 0) return undefined;
  return `kept: ${relative(projectDir, folder)}/ (${dumps.length} backup${dumps.length === 1 ? "" : "s"}, with the stack's master key and key values beside them): delete it once you no longer need them`;
}

/** One query, one snapshot: the counts of COUNTED_TABLES, separated by "|". */
export function rowCountQuery(): string {
  return `select ${COUNTED_TABLES.map(({ table }) => `(select count(*) from "${table}")`).join(", ")}`;
}

export function parseRowCounts(output: string): RowCounts {
  const values = output.trim().split("|").map(Number);
  if (values.length !== COUNTED_TABLES.length || values.some((v) => !Number.isInteger(v))) {
    throw new AdminError(`could not read the row counts from psql (it said: ${output.trim().slice(0, 200)})`);
  }
  return Object.fromEntries(COUNTED_TABLES.map(({ label }, i) => [label, values[i]])) as RowCounts;
}

/** The number of tables whose data a `pg_restore --list` of the file names. */
export function tablesInListing(listing: string): number {
  return listing.split("\n").filter((line) => /^\d+; \d+ \d+ TABLE DATA /.test(line)).length;
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** What the command prints: where, how big, what is in it, and what is not. */
export function backupSummary(stackName: string, backup: Backup, projectDir: string): string[] {
  const counts = COUNTED_TABLES.map(({ label }) => `${label} ${backup.counts[label]}`).join(", ");
  return [
    `backup of stack "${stackName}": ${relative(projectDir, backup.path)} (${size(backup.bytes)}, readable by its owner only)`,
    `  rows: ${counts}; pg_restore reads ${backup.tables} tables back from it`,
    "  not in it: LITELLM_SALT_KEY, which encrypts credentials LiteLLM stores in its database (virtual keys are",
    `  sha256 hashes and need no salt). It is in this stack's Terraform state (terraform-state/${stackName}.tfstate)`,
    "  or your LITELLM_SALT_KEY; restoring into this stack uses it as it is.",
    ...(backup.keysFile ? [`  beside it: ${relative(projectDir, backup.keysFile)}, the stack's master key and key values (secret), for \`npm run restore\``] : []),
  ];
}

/** The running Postgres container of the stack (either profile: swarm tasks carry the labels too). */
export async function postgresContainer(config: StackConfig, target: DockerTarget): Promise<string> {
  const listed = await docker(
    ["ps", "-q", "--filter", `label=${LABEL_PREFIX}.stack=${config.name}`, "--filter", `label=${LABEL_PREFIX}.component=postgres`],
    target,
  );
  if (listed.status !== 0) throw new AdminError(`docker ps failed: ${listed.stderr.trim().split("\n").at(-1) ?? ""}`);
  const [id] = listed.stdout.trim().split("\n").filter(Boolean);
  if (!id) throw new AdminError(`stack "${config.name}" has no running Postgres container: deploy it (npm run deploy), or start it, then run this again`);
  return id;
}

/** `docker exec` in `container`-first `args` with a file as its stdin (`-i`) or stdout. */
export function execWithFile(target: DockerTarget, args: readonly string[], file: CommandFile, timeoutMs: number) {
  return docker(["exec", ...(file.as === "stdin" ? ["-i"] : []), ...args], target, timeoutMs, file);
}

const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

/**
 * Dumps the stack's database to a new owner-only file and reads it back; keeps the stack's key
 * values beside it (backup-keys.ts). On any failure the
 * partial file is deleted and the error says which step failed; the database is only read.
 */
export async function takeBackup(
  config: StackConfig,
  projectDir: string,
  target: DockerTarget,
  access: { readonly masterKey: string; readonly keys: Readonly<Record<string, string>> },
  options: { readonly now?: Date; readonly kind?: string } = {},
): Promise<Backup> {
  const { user, name: database } = config.database;
  const container = await postgresContainer(config, target);
  const counted = await docker(["exec", container, "psql", "-U", user, "-d", database, "-AtF", "|", "-c", rowCountQuery()], target, 60_000);
  if (counted.status !== 0) throw new AdminError(`psql in ${container.slice(0, 12)} failed: ${lastLine(counted.stderr)}`);
  const counts = parseRowCounts(counted.stdout);

  const path = backupPath(projectDir, config.name, options.now ?? new Date(), options.kind);
  mkdirSync(join(projectDir, BACKUP_DIR, config.name), { recursive: true, mode: 0o700 });
  const out = openSync(path, "wx", 0o600);
  let keep = false;
  try {
    const dumped = await execWithFile(target, [container, "pg_dump", "-U", user, "-d", database, "-Fc"], { fd: out, as: "stdout" }, 30 * 60_000);
    if (dumped.status !== 0) throw new AdminError(`pg_dump failed: ${lastLine(dumped.stderr)}; nothing was kept`);
    const input = openSync(path, "r");
    try {
      const listed = await execWithFile(target, [container, "pg_restore", "--list"], { fd: input, as: "stdin" }, 5 * 60_000);
      if (listed.status !== 0) throw new AdminError(`the dump does not read back (pg_restore --list: ${lastLine(listed.stderr)}); nothing was kept`);
      writeBackupKeys(path, { stack: config.name, masterKey: access.masterKey, keys: { ...access.keys } });
      keep = true;
      return { path, bytes: statSync(path).size, counts, tables: tablesInListing(listed.stdout), keysFile: backupKeysFile(path) };
    } finally {
      closeSync(input);
    }
  } finally {
    closeSync(out);
    if (!keep) {
      rmSync(path, { force: true });
      rmSync(backupKeysFile(path), { force: true });
    }
  }
}
