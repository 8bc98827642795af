/**
 * `npm run restore -- FILE`: a backup (database-backup.ts) back into the stack's database, in one
 * transaction, so that a file that does not restore leaves the database as it was. Refuses a
 * database that already holds a record of its own (spend rows, or keys the stack's state does not
 * hold) unless told to replace it. LiteLLM is restarted afterwards, so that nothing it cached from
 * the database it had before answers any more.
 */
import { existsSync, openSync, closeSync } from "node:fs";
import type { StackConfig } from "../catalog/validate";
import { AdminError } from "../proxy-admin/litellm-admin";
import { tokenHash } from "../proxy-admin/key-plan";
import { LABEL_PREFIX } from "../specs/service-specs";
import { COUNTED_TABLES, execWithFile, parseRowCounts, postgresContainer, rowCountQuery, type RowCounts } from "./database-backup";
import { docker, type DockerTarget } from "./docker-engine";

/** The table whose rows are the keys: a LiteLLM backup has its data, a foreign dump does not. */
const KEYS_TABLE = COUNTED_TABLES[0].table;

/** Why a `pg_restore --list` of the file says it is not a LiteLLM backup (undefined: it is one). */
export function foreignArchiveReason(listing: string): string | undefined {
  return new RegExp(`^\\d+; \\d+ \\d+ TABLE DATA \\S+ ${KEYS_TABLE} `, "m").test(listing)
    ? undefined
    : `it holds no ${KEYS_TABLE} table: it is not a backup of a LiteLLM database`;
}

/** What the database holds that a restore would replace: spend rows, and keys the state does not hold. */
export function ownRecord(counts: RowCounts, tokens: readonly string[], heldValues: readonly string[]): { spendRows: number; foreignKeys: number } {
  const held = new Set(heldValues.map(tokenHash));
  return { spendRows: counts["spend logs"], foreignKeys: tokens.filter((token) => !held.has(token)).length };
}

const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

export interface RestoreOptions {
  /** Replace a database that holds a record of its own. */
  readonly replace: boolean;
  /** The key values the stack's state holds now: its own keys do not make the database "used". */
  readonly heldKeys: readonly string[];
}

/** Restores `file` into the stack's database; returns the row counts it holds afterwards. */
export async function restoreBackup(config: StackConfig, file: string, target: DockerTarget, options: RestoreOptions): Promise<RowCounts> {
  if (!existsSync(file)) throw new AdminError(`backup file ${file} does not exist: give the path \`npm run backup\` printed (backups/${config.name}/...)`);
  const { user, name: database } = config.database;
  const container = await postgresContainer(config, target);
  const psql = async (query: string) => {
    const result = await docker(["exec", container, "psql", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-AtF", "|", "-c", query], target, 60_000);
    if (result.status !== 0) throw new AdminError(`psql in the stack's Postgres failed: ${lastLine(result.stderr)}`);
    return result.stdout;
  };
  const withFile = <T>(run: (fd: number) => Promise<T>) => {
    const fd = openSync(file, "r");
    return run(fd).finally(() => closeSync(fd));
  };

  const listed = await withFile((fd) => execWithFile(target, [container, "pg_restore", "--list"], { fd, as: "stdin" }, 5 * 60_000));
  if (listed.status !== 0) throw new AdminError(`${file} is not a backup pg_restore can read (${lastLine(listed.stderr)}): give a file \`npm run backup\` wrote; nothing was changed`);
  const foreign = foreignArchiveReason(listed.stdout);
  if (foreign) throw new AdminError(`${file}: ${foreign}; nothing was changed`);

  if (!options.replace) {
    const own = ownRecord(parseRowCounts(await psql(rowCountQuery())), (await psql(`select token from "${KEYS_TABLE}"`)).split("\n").filter(Boolean), options.heldKeys);
    if (own.spendRows > 0 || own.foreignKeys > 0) {
      throw new AdminError(
        `stack "${config.name}"'s database is not empty (${own.spendRows} spend rows, ${own.foreignKeys} keys its state does not hold): ` +
          "restoring would replace them. Back it up first (npm run backup), then run npm run restore -- FILE --replace; nothing was changed",
      );
    }
  }

  // One transaction: a truncated or damaged file fails before its COMMIT, and nothing changes.
  const restored = await withFile((fd) =>
    execWithFile(target, [container, "pg_restore", "-U", user, "-d", database, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"], { fd, as: "stdin" }, 30 * 60_000),
  );
  if (restored.status !== 0) throw new AdminError(`pg_restore failed (${lastLine(restored.stderr)}): the database is unchanged (one transaction); check the file, or take it again`);
  const counts = parseRowCounts(await psql(rowCountQuery()));

  await restartProxies(config, target);
  return counts;
}

/**
 * Every LiteLLM process of the stack, so that nothing cached from the database before answers, and
 * waits until as many are healthy again. A container is restarted; a swarm task's container is
 * removed and swarm starts a new task (its restart condition is "any"), which changes nothing in
 * the service's spec, so nothing drifts from the state.
 */
async function restartProxies(config: StackConfig, target: DockerTarget, timeoutMs = 5 * 60_000): Promise<void> {
  const filters = ["--filter", `label=${LABEL_PREFIX}.stack=${config.name}`, "--filter", `label=${LABEL_PREFIX}.component=litellm`];
  const listed = await docker(["ps", ...filters, "--format", '{{.ID}} {{.Label "com.docker.swarm.task.id"}}'], target);
  const rows = listed.stdout.split("\n").filter(Boolean).map((line) => line.split(" "));
  if (rows.length === 0) return;
  const containers = rows.filter(([, task]) => !task).map(([id]) => id);
  const tasks = rows.filter(([, task]) => task).map(([id]) => id);
  const results = await Promise.all([
    ...(containers.length > 0 ? [docker(["restart", ...containers], target, 120_000)] : []),
    ...(tasks.length > 0 ? [docker(["rm", "-f", ...tasks], target, 120_000)] : []),
  ]);
  for (const result of results) {
    if (result.status !== 0) throw new AdminError(`the database is restored, but LiteLLM did not restart (${lastLine(result.stderr)}): run npm run deploy`);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const healthy = await docker(["ps", "-q", ...filters, "--filter", "health=healthy"], target);
    const fresh = healthy.stdout.split("\n").filter((id) => id && !tasks.includes(id));
    if (fresh.length >= rows.length) return;
    if (Date.now() > deadline) throw new AdminError(`the database is restored, but LiteLLM is not healthy again after ${timeoutMs / 1000} s: look at its logs, then run npm run deploy`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
