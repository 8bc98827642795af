/**
 * Keys and spend logs -> the usage report: per key alias and model, requests, tokens and spend,
 * and each key's budget use. Pure arithmetic and formatting, tested directly.
 */
import type { KeyWithSpend, SpendLogRow } from "./litellm-admin";

export interface Period {
  /** YYYY-MM-DD, inclusive. */
  readonly start: string;
  readonly end: string;
}

export interface UsageRow {
  readonly alias: string;
  readonly model: string;
  /** Which deployment served (only with --by deployment). */
  readonly deployment?: string;
  /** Successful requests: what usage and spend are made of. */
  readonly requests: number;
  /** Refused or failed requests (over budget, model not allowed, a provider error): shown, not counted as usage. */
  readonly failed: number;
  readonly tokens: number;
  readonly spend: number;
}

export interface KeyBudget {
  readonly alias: string;
  readonly maxBudget: number | null;
  readonly budgetDuration: string | null;
  /** Spend in the key's current budget period, as LiteLLM counts it. */
  readonly spent: number;
  readonly left: number | null;
  readonly usedPercent: number | null;
}

export interface UsageReport {
  readonly period: Period;
  readonly rows: UsageRow[];
  readonly totals: { readonly requests: number; readonly failed: number; readonly tokens: number; readonly spend: number };
  readonly budgets: KeyBudget[];
  /** LiteLLM returned its maximum of rows and said more exist: the figures are a lower bound. */
  readonly truncated: boolean;
}

/** What LiteLLM 1.108.5 writes as `api_key` for requests made with the master key. */
export const MASTER_KEY_MARKER = "litellm_proxy_master_key";

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `30d`, `2w`, or `YYYY-MM-DD..YYYY-MM-DD`; relative periods end today (UTC). */
export function parsePeriod(text: string, nowMs = Date.now()): Period {
  const relative = /^([1-9]\d{0,3})([dw])$/.exec(text);
  if (relative) {
    const days = Number(relative[1]) * (relative[2] === "w" ? 7 : 1);
    return { start: isoDate(nowMs - (days - 1) * DAY_MS), end: isoDate(nowMs) };
  }
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(text);
  if (range && !Number.isNaN(Date.parse(range[1])) && !Number.isNaN(Date.parse(range[2])) && range[1] <= range[2]) {
    return { start: range[1], end: range[2] };
  }
  throw new Error(`--period "${text}" is not a period: use 7d, 4w or 2026-11-01..2026-11-30`);
}

const round = (value: number, digits = 6) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Which deployment served a request: the catalog's stable id on a model with several deployments,
 * else the upstream model (LiteLLM's generated id of a single deployment is a hash nobody reads).
 */
export function deploymentOf(log: SpendLogRow): string {
  if (log.model_id && !/^[0-9a-f]{64}$/.test(log.model_id)) return log.model_id;
  return log.model || "-";
}

/** A row's outcome: LiteLLM writes `status` on the row (and in metadata); anything but failure is a success. */
export function failedRow(log: SpendLogRow): boolean {
  return log.status === "failure" || log.metadata?.status === "failure";
}

/**
 * Who made a request: the key's alias now, else the alias it had then (LiteLLM keeps it in the row,
 * so a deleted or rotated key keeps its history), else the master key, else unknown.
 */
export function requester(log: SpendLogRow, aliasOf: ReadonlyMap<string, string>, masterTokenHash?: string): string {
  const current = aliasOf.get(log.api_key);
  if (current) return current;
  const then = log.metadata?.user_api_key_alias;
  if (typeof then === "string" && then) return then;
  if (log.api_key === MASTER_KEY_MARKER || (masterTokenHash && log.api_key === masterTokenHash)) return "(master key)";
  return log.api_key ? "(unknown key)" : "(no key)";
}

/**
 * @param masterTokenHash sha256 of the master key, to name its requests rather than call them unknown
 */
export function buildUsageReport(
  keys: readonly KeyWithSpend[],
  logs: readonly SpendLogRow[],
  period: Period,
  masterTokenHash?: string,
  truncated = false,
  byDeployment = false,
): UsageReport {
  const aliasOf = new Map(keys.map((k) => [k.token, k.key_alias ?? `${k.token.slice(0, 8)}…`]));
  const groups = new Map<string, { alias: string; model: string; deployment?: string; requests: number; failed: number; tokens: number; spend: number }>();
  for (const log of logs) {
    const alias = requester(log, aliasOf, masterTokenHash);
    const model = log.model_group || log.model || "(unknown)";
    const deployment = byDeployment ? deploymentOf(log) : undefined;
    const id = `${alias}\u0000${model}\u0000${deployment ?? ""}`;
    const group = groups.get(id) ?? { alias, model, ...(deployment !== undefined ? { deployment } : {}), requests: 0, failed: 0, tokens: 0, spend: 0 };
    if (failedRow(log)) group.failed += 1;
    else group.requests += 1;
    group.tokens += log.total_tokens ?? 0;
    group.spend += log.spend ?? 0;
    groups.set(id, group);
  }
  const rows = [...groups.values()]
    .map((g) => ({ ...g, spend: round(g.spend) }))
    .sort((a, b) => a.alias.localeCompare(b.alias) || a.model.localeCompare(b.model) || (a.deployment ?? "").localeCompare(b.deployment ?? ""));
  const totals = rows.reduce(
    (sum, r) => ({ requests: sum.requests + r.requests, failed: sum.failed + r.failed, tokens: sum.tokens + r.tokens, spend: round(sum.spend + r.spend) }),
    { requests: 0, failed: 0, tokens: 0, spend: 0 },
  );
  const budgets = keys
    .filter((k) => k.key_alias)
    .map((k) => ({
      alias: k.key_alias as string,
      maxBudget: k.max_budget,
      budgetDuration: k.budget_duration,
      spent: round(k.spend),
      left: k.max_budget === null ? null : round(Math.max(k.max_budget - k.spend, 0)),
      usedPercent: k.max_budget ? round((k.spend / k.max_budget) * 100, 1) : null,
    }))
    .sort((a, b) => a.alias.localeCompare(b.alias));
  return { period, rows, totals, budgets, truncated };
}

type Align = "left" | "right";

function table(header: string[], body: string[][], align: Align[]): string {
  const rows = [header, ...body];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (align[i] === "right" ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd())
    .join("\n");
}

const usd = (value: number) => value.toFixed(4);
/** Dollars with two decimals, or as many as a small budget needs (0.0001 is not "0.00"). */
export function budgetUsd(value: number): string {
  if (value === 0 || Math.abs(value) >= 0.01) return value.toFixed(2);
  return String(Number(value.toPrecision(2))).replace(/^(-?)0?\./, "$10.");
}
const count = (value: number) => value.toLocaleString("en-US");

export function formatUsageReport(report: UsageReport, baseUrl: string): string {
  const byDeployment = report.rows.some((r) => r.deployment !== undefined);
  const where = (r: UsageRow) => (byDeployment ? [r.model, r.deployment ?? "-"] : [r.model]);
  const usage =
    report.rows.length === 0
      ? "no requests in this period"
      : table(
          ["KEY", "MODEL", ...(byDeployment ? ["DEPLOYMENT"] : []), "REQUESTS", "FAILED", "TOKENS", "SPEND (USD)"],
          [
            ...report.rows.map((r) => [r.alias, ...where(r), count(r.requests), count(r.failed), count(r.tokens), usd(r.spend)]),
            ["TOTAL", "", ...(byDeployment ? [""] : []), count(report.totals.requests), count(report.totals.failed), count(report.totals.tokens), usd(report.totals.spend)],
          ],
          ["left", "left", ...(byDeployment ? ["left" as const] : []), "right", "right", "right", "right"],
        );
  const budgets =
    report.budgets.length === 0
      ? "no virtual keys"
      : table(
          ["KEY", "BUDGET (USD)", "PERIOD", "SPENT", "LEFT", "USED"],
          report.budgets.map((b) => [
            b.alias,
            b.maxBudget === null ? "none" : budgetUsd(b.maxBudget),
            b.budgetDuration ?? "-",
            usd(b.spent),
            b.left === null ? "-" : usd(b.left),
            b.usedPercent === null ? "-" : `${b.usedPercent.toFixed(1)}%`,
          ]),
          ["left", "right", "left", "right", "right", "right"],
        );
  const notes = [
    "FAILED: refused or failed requests (over budget, model not allowed, provider errors); they cost nothing and are not in REQUESTS.",
    "LiteLLM writes spend in batches: requests of the last half minute may not be counted yet.",
    ...(report.truncated ? ["warning: LiteLLM returned its maximum number of rows for this period (x-litellm-spend-logs-truncated): the figures are a lower bound; choose a shorter --period."] : []),
  ];
  return `Usage ${report.period.start} .. ${report.period.end} (UTC days, both included) at ${baseUrl}\n\n${usage}\n\nBudgets (current period)\n\n${budgets}\n\n${notes.join("\n")}\n`;
}
