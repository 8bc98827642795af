/**
 * LiteLLM's spend logs as request logs: filters, one line per request, JSON for machines, and the
 * stored bodies when the stack keeps them. Pure functions over the rows the admin client returns.
 */
import { printable } from "../catalog/config-error";
import { redactedExcerpt } from "./bounded-http";
import type { SpendLogRow } from "./litellm-admin";
import { deploymentOf, failedRow, requester } from "./usage-report";

export interface LogFilter {
  /** Requests at or after this instant. */
  readonly sinceMs: number;
  /** The key's alias, as configured (`openclaw`) or as LiteLLM has it (`litellm/openclaw`). */
  readonly key?: string;
  /** The model asked for (model group) or the deployment used. */
  readonly model?: string;
  readonly status?: "success" | "failure";
}

export interface RequestLine {
  readonly id: string;
  readonly time: string;
  readonly key: string;
  readonly model: string;
  readonly deployment: string;
  readonly status: "success" | "failure";
  readonly tokens: number;
  readonly cost: number;
  readonly latencyMs: number | null;
  readonly error?: string;
}

const DURATION = /^([1-9]\d{0,4})([mhdw])$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `2h`, `1d`, `1w`, a date (`2026-11-29`, UTC midnight) or an ISO time -> an instant. */
export function parseSince(text: string, nowMs = Date.now()): number {
  const relative = DURATION.exec(text);
  if (relative) return nowMs - Number(relative[1]) * UNIT_MS[relative[2]];
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) throw new Error(`--since "${text}" is not a time: use 30m, 2h, 1d, 1w, 2026-11-29 or 2026-11-29T10:00:00Z`);
  return at;
}

function errorOf(row: SpendLogRow): string | undefined {
  const info = row.metadata?.error_information;
  if (!info || typeof info !== "object") return undefined;
  const { error_class: kind, error_message: message } = info as { error_class?: unknown; error_message?: unknown };
  const text = [kind, message].filter((part) => typeof part === "string" && part).join(": ");
  return text ? redactedExcerpt(text, 200) : undefined;
}

export function toRequestLine(row: SpendLogRow): RequestLine {
  const failed = failedRow(row);
  return {
    id: row.request_id ?? "",
    time: row.startTime ?? "",
    key: requester(row, new Map()),
    model: row.model_group || row.model || "(unknown)",
    deployment: deploymentOf(row),
    status: failed ? "failure" : "success",
    tokens: row.total_tokens ?? 0,
    cost: row.spend ?? 0,
    latencyMs: row.request_duration_ms ?? null,
    ...(failed ? { error: errorOf(row) ?? "(no error recorded)" } : {}),
  };
}

function keyMatches(line: RequestLine, key: string): boolean {
  return line.key === key || line.key.endsWith(`/${key}`);
}

/** The matching requests, newest first. */
export function selectRequests(rows: readonly SpendLogRow[], filter: LogFilter): RequestLine[] {
  return rows
    .map(toRequestLine)
    .filter((line) => Date.parse(line.time) >= filter.sinceMs)
    .filter((line) => !filter.key || keyMatches(line, filter.key))
    .filter((line) => !filter.model || line.model === filter.model || line.deployment === filter.model)
    .filter((line) => !filter.status || line.status === filter.status)
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || b.id.localeCompare(a.id));
}

/** One line for people: time, key, model -> deployment, status, tokens, cost, latency, the error of a failure. */
export function formatRequestLine(line: RequestLine): string {
  const time = line.time.replace("T", " ").replace(/\.\d+/, "").replace(/(Z|\+00:00)$/, "Z");
  const latency = line.latencyMs === null ? "-" : `${line.latencyMs} ms`;
  const parts = [
    time,
    line.key,
    line.deployment && line.deployment !== line.model ? `${line.model} -> ${line.deployment}` : line.model,
    line.status,
    `${line.tokens} tok`,
    `$${line.cost.toFixed(6)}`,
    latency,
    ...(line.error ? [line.error] : []),
  ];
  return printable(parts.join("  "));
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === "" || value === "{}" || (typeof value === "object" && Object.keys(value as object).length === 0);

/**
 * The stored request of a row: LiteLLM keeps a request's body (model, messages, ...) in
 * `proxy_server_request` and fills `messages` only for realtime calls (1.108.5's spend_tracking_utils),
 * so the body comes first. Undefined when nothing was stored.
 */
export function requestBody(row: SpendLogRow): unknown {
  return [row.proxy_server_request, row.messages].find((value) => !isEmpty(value));
}

/** The stored request and response of a row, when the stack keeps bodies (logging.storeRequestBodies). */
export function formatBodies(row: SpendLogRow, maxChars = 4_000): string {
  const show = (label: string, value: unknown) => {
    if (isEmpty(value)) return `    ${label}: (not stored: logging.storeRequestBodies is off, or the request failed before it)`;
    const text = JSON.stringify(value, null, 2);
    const clipped = text.length > maxChars ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)` : text;
    return `    ${label}:\n${clipped.split("\n").map((l) => `      ${printable(l)}`).join("\n")}`;
  };
  return [show("request", requestBody(row)), show("response", row.response)].join("\n");
}
