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
  readonly requests: number;
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
  readonly totals: { readonly requests: number; readonly tokens: number; readonly spend: number };
  readonly budgets: KeyBudget[];
}

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
 * @param masterTokenHash sha256 of the master key, to name its requests rather than call them unknown
 */
export function buildUsageReport(
  keys: readonly KeyWithSpend[],
  logs: readonly SpendLogRow[],
  period: Period,
  masterTokenHash?: string,
): UsageReport {
  const aliasOf = new Map(keys.map((k) => [k.token, k.key_alias ?? `${k.token.slice(0, 8)}…`]));
  const groups = new Map<string, { alias: string; model: string; requests: number; tokens: number; spend: number }>();
  for (const log of logs) {
    const alias = aliasOf.get(log.api_key) ?? (log.api_key === masterTokenHash ? "(master key)" : "(unknown key)");
    const model = log.model_group || log.model || "(unknown)";
    const id = `${alias}\u0000${model}`;
    const group = groups.get(id) ?? { alias, model, requests: 0, tokens: 0, spend: 0 };
    group.requests += 1;
    group.tokens += log.total_tokens ?? 0;
    group.spend += log.spend ?? 0;
    groups.set(id, group);
  }
  const rows = [...groups.values()]
    .map((g) => ({ ...g, spend: round(g.spend) }))
    .sort((a, b) => a.alias.localeCompare(b.alias) || a.model.localeCompare(b.model));
  const totals = rows.reduce(
    (sum, r) => ({ requests: sum.requests + r.requests, tokens: sum.tokens + r.tokens, spend: round(sum.spend + r.spend) }),
    { requests: 0, tokens: 0, spend: 0 },
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
  return { period, rows, totals, budgets };
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
const count = (value: number) => value.toLocaleString("en-US");

export function formatUsageReport(report: UsageReport, baseUrl: string): string {
  const usage =
    report.rows.length === 0
      ? "no requests in this period"
      : table(
          ["KEY", "MODEL", "REQUESTS", "TOKENS", "SPEND (USD)"],
          [
            ...report.rows.map((r) => [r.alias, r.model, count(r.requests), count(r.tokens), usd(r.spend)]),
            ["TOTAL", "", count(report.totals.requests), count(report.totals.tokens), usd(report.totals.spend)],
          ],
          ["left", "left", "right", "right", "right"],
        );
  const budgets =
    report.budgets.length === 0
      ? "no virtual keys"
      : table(
          ["KEY", "BUDGET (USD)", "PERIOD", "SPENT", "LEFT", "USED"],
          report.budgets.map((b) => [
            b.alias,
            b.maxBudget === null ? "none" : b.maxBudget.toFixed(2),
            b.budgetDuration ?? "-",
            usd(b.spent),
            b.left === null ? "-" : usd(b.left),
            b.usedPercent === null ? "-" : `${b.usedPercent.toFixed(1)}%`,
          ]),
          ["left", "right", "left", "right", "right", "right"],
        );
  return `Usage ${report.period.start} .. ${report.period.end} at ${baseUrl}\n\n${usage}\n\nBudgets (current period)\n\n${budgets}\n`;
}
