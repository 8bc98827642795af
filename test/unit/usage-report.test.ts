import type { KeyWithSpend, SpendLogRow } from "../../src/proxy-admin/litellm-admin";
import { tokenHash } from "../../src/proxy-admin/key-plan";
import { budgetUsd, buildUsageReport, formatUsageReport, MASTER_KEY_MARKER, parsePeriod } from "../../src/proxy-admin/usage-report";
import { recorded } from "../replay/litellm-replay-server";

const NOW = Date.parse("2026-11-29T12:00:00Z");

describe("parsePeriod", () => {
  test.each([
    ["30d", { start: "2026-10-31", end: "2026-11-29" }],
    ["1d", { start: "2026-11-29", end: "2026-11-29" }],
    ["2w", { start: "2026-11-16", end: "2026-11-29" }],
    ["2026-11-01..2026-11-15", { start: "2026-11-01", end: "2026-11-15" }],
  ])("%s", (text, period) => {
    expect(parsePeriod(text, NOW)).toEqual(period);
  });

  test.each(["month", "0d", "2026-11-15..2026-11-01", "2026-13-01..2026-13-02"])("fails on %p, naming --period", (text) => {
    expect(() => parsePeriod(text, NOW)).toThrow(`--period "${text}" is not a period`);
  });
});

describe("buildUsageReport", () => {
  const key = (alias: string, value: string, spend: number, max_budget: number | null): KeyWithSpend => ({
    token: tokenHash(value),
    key_alias: alias,
    spend,
    max_budget,
    budget_duration: max_budget === null ? null : "monthly",
    models: [],
    rpm_limit: null,
    tpm_limit: null,
    max_parallel_requests: null,
    metadata: {},
  });
  const log = (value: string, model: string, spend: number, total_tokens: number): SpendLogRow => ({
    api_key: tokenHash(value),
    model: `openai/${model}`,
    model_group: model,
    spend,
    total_tokens,
    startTime: "2026-11-20T10:00:00Z",
  });
  const keys = [key("openclaw", "sk-o", 12.5, 50), key("ci", "sk-c", 60, 50), key("free", "sk-f", 0, null)];
  const logs = [
    log("sk-o", "claude-opus-4-6", 0.1, 1000),
    log("sk-o", "claude-opus-4-6", 0.2, 3000),
    log("sk-o", "mock", 0, 30),
    log("sk-c", "gpt-4o", 0.05, 500),
    log("sk-master", "mock", 0, 30),
    log("sk-gone", "mock", 0.01, 10),
  ];
  const report = buildUsageReport(keys, logs, { start: "2026-11-01", end: "2026-11-29" }, tokenHash("sk-master"));

  test("sums requests, tokens and spend per key alias and model", () => {
    expect(report.rows).toEqual([
      { alias: "(master key)", model: "mock", requests: 1, failed: 0, tokens: 30, spend: 0 },
      { alias: "(unknown key)", model: "mock", requests: 1, failed: 0, tokens: 10, spend: 0.01 },
      { alias: "ci", model: "gpt-4o", requests: 1, failed: 0, tokens: 500, spend: 0.05 },
      { alias: "openclaw", model: "claude-opus-4-6", requests: 2, failed: 0, tokens: 4000, spend: 0.3 },
      { alias: "openclaw", model: "mock", requests: 1, failed: 0, tokens: 30, spend: 0 },
    ]);
    expect(report.totals).toEqual({ requests: 6, failed: 0, tokens: 4570, spend: 0.36 });
  });

  test("reports budget, what is left (never negative) and the share used", () => {
    expect(report.budgets).toEqual([
      { alias: "ci", maxBudget: 50, budgetDuration: "monthly", spent: 60, left: 0, usedPercent: 120 },
      { alias: "free", maxBudget: null, budgetDuration: null, spent: 0, left: null, usedPercent: null },
      { alias: "openclaw", maxBudget: 50, budgetDuration: "monthly", spent: 12.5, left: 37.5, usedPercent: 25 },
    ]);
  });

  test("prints aligned columns with totals and budget use", () => {
    expect(formatUsageReport(report, "http://localhost:4000")).toBe(
      [
        "Usage 2026-11-01 .. 2026-11-29 (UTC days, both included) at http://localhost:4000",
        "",
        "KEY            MODEL            REQUESTS  FAILED  TOKENS  SPEND (USD)",
        "(master key)   mock                    1       0      30       0.0000",
        "(unknown key)  mock                    1       0      10       0.0100",
        "ci             gpt-4o                  1       0     500       0.0500",
        "openclaw       claude-opus-4-6         2       0   4,000       0.3000",
        "openclaw       mock                    1       0      30       0.0000",
        "TOTAL                                  6       0   4,570       0.3600",
        "",
        "Budgets (current period)",
        "",
        "KEY       BUDGET (USD)  PERIOD     SPENT     LEFT    USED",
        "ci               50.00  monthly  60.0000   0.0000  120.0%",
        "free              none  -         0.0000        -       -",
        "openclaw         50.00  monthly  12.5000  37.5000   25.0%",
        "",
        "FAILED: refused or failed requests (over budget, model not allowed, provider errors); they cost nothing and are not in REQUESTS.",
        "LiteLLM writes spend in batches: requests of the last half minute may not be counted yet.",
        "",
      ].join("\n"),
    );
  });

  test("an empty period says so", () => {
    const empty = buildUsageReport([], [], { start: "2026-11-01", end: "2026-11-02" });
    expect(formatUsageReport(empty, "http://x")).toContain("no requests in this period");
    expect(empty.totals).toEqual({ requests: 0, failed: 0, tokens: 0, spend: 0 });
  });
});

describe("buildUsageReport on LiteLLM 1.108.5's recorded spend rows (recorded answers, not a live proxy)", () => {
  const rows = recorded("spend-logs-summarize-false").body;
  const keys = recorded("key-list-return-full-object").body.keys;
  const period = { start: "2026-11-29", end: "2026-11-29" };

  test("failed requests (budget refusals, model refusals, wrong keys) are counted apart, not as usage", () => {
    const report = buildUsageReport(keys, rows, period);
    expect(report.totals).toEqual({ requests: 3, failed: 5, tokens: 84, spend: 0.00144 });
    expect(report.rows.find((r) => r.alias === "tiny")).toEqual({ alias: "tiny", model: "mock", requests: 1, failed: 2, tokens: 28, spend: 0.00048 });
  });

  test("a deleted key's history keeps its alias (from the row), not '(unknown key)'", () => {
    // `tiny` was deleted at the end of the recording: it is not in the key list.
    expect(keys.map((k: { key_alias: string }) => k.key_alias)).not.toContain("tiny");
    expect(buildUsageReport(keys, rows, period).rows.map((r) => r.alias)).toContain("tiny");
  });

  test("requests made with the master key are named so", () => {
    const master = { ...rows[0], api_key: MASTER_KEY_MARKER, metadata: { ...rows[0].metadata, user_api_key_alias: null, status: null }, status: "success" };
    expect(buildUsageReport([], [master], period).rows[0].alias).toBe("(master key)");
  });

  test("a truncated answer is flagged in the report", () => {
    const text = formatUsageReport(buildUsageReport(keys, rows, period, undefined, true), "http://x");
    expect(text).toContain("warning: LiteLLM returned its maximum number of rows for this period");
  });
});

describe("budgetUsd", () => {
  test.each([[50, "50.00"], [0, "0.00"], [0.5, "0.50"], [0.0001, "0.0001"], [0.00048, "0.00048"], [0.009, "0.009"], [12.5, "12.50"]])("%p -> %s", (value, text) => {
    expect(budgetUsd(value)).toBe(text);
  });
});

describe("--by deployment", () => {
  const row = (model_id: string, model: string, spend: number, status = "success"): SpendLogRow => ({
    api_key: MASTER_KEY_MARKER,
    model,
    model_group: "failover",
    model_id,
    spend,
    total_tokens: 8,
    status,
    startTime: "2026-11-20T10:00:00Z",
  });
  const logs = [
    row("failover.steady", "openai/steady", 0.01),
    row("failover.steady", "openai/steady", 0.01),
    row("failover.flaky", "openai/flaky", 0, "failure"),
    // A single deployment: LiteLLM's generated id, a hash, is replaced by the upstream model.
    row("bb6fbd1f6d882f793da1268e8b20c501c72a870abae1a666364e23076b9f2198", "openai/mock", 0),
  ];
  const period = { start: "2026-11-01", end: "2026-11-30" };

  test("one row per deployment that served, named by the catalog's id, with its failures", () => {
    const report = buildUsageReport([], logs, period, undefined, false, true);
    expect(report.rows.map((r) => [r.deployment, r.requests, r.failed, r.spend])).toEqual([
      ["failover.flaky", 0, 1, 0],
      ["failover.steady", 2, 0, 0.02],
      ["openai/mock", 1, 0, 0],
    ]);
    const text = formatUsageReport(report, "http://x");
    expect(text).toMatch(/KEY\s+MODEL\s+DEPLOYMENT\s+REQUESTS/);
    expect(text).toMatch(/\(master key\)\s+failover\s+failover\.steady\s+2\s+0\s+16\s+0\.0200/);
  });

  test("without it, one row per key and model as before", () => {
    const report = buildUsageReport([], logs, period);
    expect(report.rows.map((r) => [r.model, r.requests, r.failed])).toEqual([["failover", 3, 1]]);
    expect(report.rows[0]).not.toHaveProperty("deployment");
    expect(formatUsageReport(report, "http://x")).not.toContain("DEPLOYMENT");
  });
});
