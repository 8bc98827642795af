/**
 * Usage of the deployed proxy: per key alias and model, requests, tokens and spend, and each
 * key's budget use.
 *
 *   npm run usage                         the last 30 days
 *   npm run usage -- --period 7d          or 4w, or 2026-11-01..2026-11-30
 *   npm run usage -- --by deployment      one row per deployment that served (routing)
 *   npm run usage -- --json               for machines
 */
import { loadStackConfig } from "../src/catalog/load-config";
import { tokenHash } from "../src/proxy-admin/key-plan";
import { connectToProxy } from "../src/lifecycle/stack-outputs";
import { buildUsageReport, formatUsageReport, parsePeriod } from "../src/proxy-admin/usage-report";
import { runCommand } from "./command";

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

async function main(args: string[]): Promise<number> {
  let period;
  try {
    period = parsePeriod(option(args, "--period") ?? "30d");
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  const by = option(args, "--by");
  if (args.includes("--by") && by !== "deployment") {
    console.error(`error: --by "${by ?? ""}" is not a grouping: use --by deployment (one row per deployment that served)`);
    return 2;
  }
  const { access, admin } = await connectToProxy(loadStackConfig());
  await admin.requireDatabase();
  const [keys, logs] = await Promise.all([admin.listKeys(), admin.spendLogs(period.start, period.end)]);
  const report = buildUsageReport(keys, logs.rows, period, tokenHash(access.masterKey), logs.truncated, by === "deployment");
  process.stdout.write(args.includes("--json") ? `${JSON.stringify(report, null, 2)}\n` : formatUsageReport(report, access.baseUrl));
  return 0;
}

runCommand(() => main(process.argv.slice(2)));
