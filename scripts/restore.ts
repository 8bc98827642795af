/**
 * npm run restore -- FILE [--replace]: a backup from `npm run backup` back into the stack's
 * database (src/lifecycle/database-restore.ts). A backup of this same stack also brings its key
 * values back (backup-keys.ts), and a deploy then makes them the stack's keys again.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { loadStackConfig } from "../src/catalog/load-config";
import { projectRoot } from "../src/catalog/project-root";
import { readBackupKeys } from "../src/lifecycle/backup-keys";
import { restoreBackup } from "../src/lifecycle/database-restore";
import { proxyAccess } from "../src/lifecycle/stack-outputs";
import { AdminError } from "../src/proxy-admin/litellm-admin";
import { writeRestoredKeys } from "../src/terraform/restored-keys";
import { runCommand } from "./command";

async function main(args: string[]): Promise<number> {
  const files = args.filter((arg) => !arg.startsWith("--"));
  const unknown = args.filter((arg) => arg.startsWith("--") && arg !== "--replace");
  if (files.length !== 1 || unknown.length > 0) {
    console.error("usage: npm run restore -- FILE [--replace]   (FILE: a backups/<stack>/<stack>-<time>.dump that npm run backup wrote)");
    return 2;
  }
  const config = loadStackConfig();
  if (!config.database.enabled) throw new AdminError(`stack "${config.name}" has no database (database.enabled: false): there is nothing to restore into`);
  const file = resolve(process.cwd(), files[0]);
  const held = Object.values(proxyAccess(config).keys);
  const counts = await restoreBackup(config, file, config.docker, { replace: args.includes("--replace"), heldKeys: held });
  console.log(`restored into stack "${config.name}": keys ${counts.keys}, spend logs ${counts["spend logs"]}, budgets ${counts.budgets}; LiteLLM restarted`);

  const kept = readBackupKeys(file);
  if (!kept) return 0;
  if (kept.stack !== config.name) {
    // Another stack's keys: they answer (their hashes are restored), under that stack's aliases.
    console.log(`the backup is of stack "${kept.stack}": its keys answer with the values that stack handed out, and stack "${config.name}" does not manage them`);
    return 0;
  }
  writeRestoredKeys(projectRoot(), config.name, { masterKey: kept.masterKey, keys: kept.keys });
  console.log("the backup's master key and key values are this stack's again: deploying, so that its outputs (keys get) hand them out");
  const deployed = spawnSync(process.execPath, [join(__dirname, "stack.js"), "deploy"], { stdio: "inherit" });
  return deployed.status ?? 1;
}

runCommand(() => main(process.argv.slice(2)));
