/**
 * npm run backup: a verified dump of the stack's spend database (keys, budgets, spend logs) in
 * backups/<stack>/, readable by its owner only. See src/lifecycle/database-backup.ts.
 */
import { loadStackConfig } from "../src/catalog/load-config";
import { projectRoot } from "../src/catalog/project-root";
import { AdminError } from "../src/proxy-admin/litellm-admin";
import { backupSummary, takeBackup } from "../src/lifecycle/database-backup";
import { proxyAccess } from "../src/lifecycle/stack-outputs";
import { runCommand } from "./command";

async function main(): Promise<number> {
  const config = loadStackConfig();
  if (!config.database.enabled) throw new AdminError(`stack "${config.name}" has no database (database.enabled: false): there is nothing to back up`);
  // Kept beside the dump, so that a restore makes them the stack's keys again.
  const backup = await takeBackup(config, projectRoot(), config.docker, proxyAccess(config));
  for (const line of backupSummary(config.name, backup, projectRoot())) console.log(line);
  return 0;
}

runCommand(main);
