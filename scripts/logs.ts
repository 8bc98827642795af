/**
 * The deployed proxy's request logs (LiteLLM's spend logs), newest first, one line each.
 *
 *   npm run logs                                  the last 50 requests of the last 24 hours
 *   npm run logs -- --since 2h --limit 200        further back, more of them (--since 30m|2h|1d|1w|2026-11-29)
 *   npm run logs -- --key openclaw --model mock   one key's, one model's
 *   npm run logs -- --status failure              refusals and errors only (or success)
 *   npm run logs -- --show-bodies                 with the stored request and response
 *   npm run logs -- --follow                      keep printing new requests (Ctrl-C ends)
 *   npm run logs -- --json                        one JSON object per line, for machines
 *
 * Exit codes: 0 done, 1 the proxy could not be asked (the line says why), 2 wrong usage.
 */
import { loadStackConfig } from "../src/catalog/load-config";
import type { LiteLLMAdmin, SpendLogRow } from "../src/proxy-admin/litellm-admin";
import { formatBodies, formatRequestLine, type LogFilter, parseSince, type RequestLine, requestBody, selectRequests } from "../src/proxy-admin/request-logs";
import { connectToProxy } from "../src/lifecycle/stack-outputs";
import { runCommand } from "./command";

const VALUE_FLAGS = ["--since", "--limit", "--key", "--model", "--status"];
const SWITCHES = ["--follow", "--json", "--show-bodies"];
const FOLLOW_INTERVAL_MS = 2_000;

class UsageError extends Error {}

function parseArgs(args: string[]) {
  const values: Record<string, string> = {};
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (SWITCHES.includes(arg)) switches.add(arg);
    else if (VALUE_FLAGS.includes(arg) && args[i + 1] !== undefined) values[arg] = args[++i];
    else throw new UsageError(`unknown or incomplete option "${arg}" (options: ${[...VALUE_FLAGS.map((f) => `${f} <value>`), ...SWITCHES].join(", ")})`);
  }
  const status = values["--status"];
  if (status !== undefined && status !== "success" && status !== "failure") throw new UsageError(`--status must be success or failure, not "${status}"`);
  const limit = Number(values["--limit"] ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError("--limit must be a whole number from 1 to 10000");
  let sinceMs: number;
  try {
    sinceMs = parseSince(values["--since"] ?? "24h");
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const filter: LogFilter = { sinceMs, key: values["--key"], model: values["--model"], status: status as LogFilter["status"] };
  return { filter, limit, follow: switches.has("--follow"), json: switches.has("--json"), bodies: switches.has("--show-bodies") };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function fetchRows(admin: LiteLLMAdmin, sinceMs: number): Promise<{ rows: SpendLogRow[]; truncated: boolean }> {
  return admin.spendLogs(day(sinceMs), day(Date.now()));
}

function print(line: RequestLine, row: SpendLogRow | undefined, json: boolean, bodies: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(bodies && row ? { ...line, request: requestBody(row) ?? null, response: row.response ?? null } : line)}\n`);
    return;
  }
  process.stdout.write(`${formatRequestLine(line)}\n`);
  if (bodies && row) process.stdout.write(`${formatBodies(row)}\n`);
}

async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
  const { filter, limit, follow, json, bodies } = options;
  const { admin } = await connectToProxy(loadStackConfig());
  await admin.requireDatabase();
  const first = await fetchRows(admin, filter.sinceMs);
  const byId = new Map(first.rows.map((row) => [row.request_id ?? "", row]));
  const lines = selectRequests(first.rows, filter).slice(0, limit);
  if (first.truncated) console.error("warning: LiteLLM returned its maximum number of rows for this period: older requests are missing; use a shorter --since");
  if (lines.length === 0 && !json) console.error("no requests match (LiteLLM writes its logs in batches: the last half minute may not be there yet)");
  for (const line of lines) print(line, byId.get(line.id), json, bodies);
  if (!follow) return 0;

  // New rows appear in batches; each poll prints the ones not seen yet, oldest first.
  const seen = new Set(first.rows.map((row) => row.request_id ?? ""));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
    const next = await fetchRows(admin, Date.now() - 86_400_000);
    const fresh = next.rows.filter((row) => !seen.has(row.request_id ?? ""));
    for (const row of fresh) seen.add(row.request_id ?? "");
    const nextById = new Map(fresh.map((row) => [row.request_id ?? "", row]));
    for (const line of selectRequests(fresh, filter).reverse()) print(line, nextById.get(line.id), json, bodies);
  }
}

runCommand(() => main(process.argv.slice(2)));
