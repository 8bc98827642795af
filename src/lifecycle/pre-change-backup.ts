/**
 * What `npm run deploy` does before a plan that changes LiteLLM's or Postgres' image is applied:
 * - another Postgres major version than the one that wrote the data is refused, nothing changed,
 *   with the commands that upgrade (backup, destroy, deploy on the new major, restore): Postgres
 *   cannot open another major's data directory, and a dump and restore is a data migration that
 *   deserves its own verified steps, not a side effect of a deploy;
 * - otherwise a verified backup is taken first (and the oldest such backups beyond
 *   database.keepBackups deleted); if it fails, nothing is changed.
 */
import { readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import type { StackConfig } from "../catalog/validate";
import { AdminError } from "../proxy-admin/litellm-admin";
import { backupKeysFile } from "./backup-keys";
import { BACKUP_DIR, postgresContainer, takeBackup } from "./database-backup";
import { docker, type DockerTarget } from "./docker-engine";
import type { ImageChange } from "./image-changes";

/** The file name's mark of a backup a deploy took (only these are pruned). */
export const PRE_DEPLOY = "pre-deploy";

/** The major version in `postgres --version` ("postgres (PostgreSQL) 17.2 (Debian 17.2-1)") or PG_VERSION ("15"). */
export function postgresMajor(text: string): number | undefined {
  const match = /(?:PostgreSQL\)\s+|^)(\d+)(?:\.\d+)?/m.exec(text.trim());
  return match ? Number(match[1]) : undefined;
}

/** The pre-deploy backups beyond the newest `keep`, oldest first (names sort by time). */
export function backupsToPrune(files: readonly string[], keep: number): string[] {
  const ours = files.filter((file) => file.endsWith(`-${PRE_DEPLOY}.dump`)).sort();
  return ours.slice(0, Math.max(0, ours.length - keep));
}

/** The one line a major version change ends with: what, why, and the commands that do it. */
export function majorChangeRefusal(config: StackConfig, dataMajor: number, imageMajor: number): string {
  return (
    `refused: database.image ${config.database.image} is PostgreSQL ${imageMajor}, and the data of "${config.name}" was written by ` +
    `PostgreSQL ${dataMajor}, which ${imageMajor} cannot open; nothing was changed. To move the data, run in turn: ` +
    "npm run backup; LITELLM_DELETE_DATA=yes npm run destroy; npm run deploy; npm run restore -- <the .dump npm run backup printed> " +
    "(docs/backup.md#postgresql-major-versions)"
  );
}

async function imageMajorOf(image: string, target: DockerTarget): Promise<number | undefined> {
  const result = await docker(["run", "--rm", "--entrypoint", "postgres", image, "--version"], target, 120_000);
  return result.status === 0 ? postgresMajor(result.stdout) : undefined;
}

async function dataMajorOf(config: StackConfig, target: DockerTarget): Promise<number | undefined> {
  const container = await postgresContainer(config, target);
  const result = await docker(["exec", container, "sh", "-c", 'cat "${PGDATA:-/var/lib/postgresql/data}/PG_VERSION"'], target);
  return result.status === 0 ? postgresMajor(result.stdout) : undefined;
}

export interface PreChangeOptions {
  readonly config: StackConfig;
  readonly projectDir: string;
  readonly changes: readonly ImageChange[];
  /** The master key and key values the stack holds now, kept beside the backup. */
  readonly access: () => { readonly masterKey: string; readonly keys: Readonly<Record<string, string>> };
  readonly log: (line: string) => void;
}

/** @returns the refusal's one line, or undefined when the deploy may go on (a backup taken). */
export async function guardImageChanges(options: PreChangeOptions): Promise<string | undefined> {
  const { config, projectDir, changes, log } = options;
  const target = config.docker;
  if (changes.length === 0 || !config.database.enabled) return undefined;
  try {
    const postgres = changes.find((change) => change.component === "postgres");
    if (postgres) {
      const [dataMajor, imageMajor] = [await dataMajorOf(config, target), await imageMajorOf(config.database.image, target)];
      if (dataMajor !== undefined && imageMajor !== undefined && dataMajor !== imageMajor) return majorChangeRefusal(config, dataMajor, imageMajor);
    }
    const what = changes.map((change) => `${change.component === "litellm" ? "LiteLLM" : "Postgres"} ${change.before} -> ${change.after}`).join(", ");
    const backup = await takeBackup(config, projectDir, target, options.access(), { kind: PRE_DEPLOY });
    log(`backup before changing ${what}: ${relative(projectDir, backup.path)} (keys ${backup.counts.keys}, spend logs ${backup.counts["spend logs"]})`);
    const folder = join(projectDir, BACKUP_DIR, config.name);
    for (const old of backupsToPrune(readdirSync(folder), config.database.keepBackups)) {
      rmSync(join(folder, old), { force: true });
      rmSync(backupKeysFile(join(folder, old)), { force: true });
    }
    return undefined;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    return `refused: the backup before changing an image failed (${error.message}); nothing was changed. Fix it and deploy again`;
  }
}
