/**
 * `npm run logs`: request lines from LiteLLM 1.108.5's recorded spend rows, and the command against
 * a replay of those recorded answers (not LiteLLM).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatBodies, formatRequestLine, parseSince, selectRequests } from "../../src/proxy-admin/request-logs";
import { LiteLLMReplay, recorded } from "../replay/litellm-replay-server";

const rows = recorded("spend-logs-summarize-false").body;
const SINCE = Date.parse("2026-11-29T00:00:00Z");

describe("request lines from the recorded rows", () => {
  test("newest first, each with key, model, status, tokens, cost, latency, and the error of a failure", () => {
    const lines = selectRequests(rows, { sinceMs: SINCE });
    expect(lines.map((l) => l.time)).toEqual([...lines.map((l) => l.time)].sort().reverse());
    const refused = lines[0];
    expect(refused).toMatchObject({ key: "tiny", model: "mock", deployment: "openai/mock", status: "failure", tokens: 0, cost: 0 });
    expect(refused.error).toMatch(/^BudgetExceededError: Budget has been exceeded! Key=tiny \(sk-…\) Current cost/);
    expect(formatRequestLine(refused)).toMatch(/^2026-11-29 15:09:45Z {2}tiny {2}mock -> openai\/mock {2}failure {2}0 tok {2}\$0\.000000 {2}2 ms {2}BudgetExceededError: /);
    const served = lines.find((l) => l.status === "success" && l.key === "openclaw");
    expect(formatRequestLine(served!)).toBe("2026-11-29 15:09:39Z  openclaw  mock -> openai/mock  success  28 tok  $0.000480  19 ms");
  });

  test("a model with several deployments shows which one served, by the catalog's id, and --model takes that id", () => {
    const grouped = rows.map((row: Record<string, unknown>, i: number) => ({ ...row, model_group: "failover", model_id: i % 2 ? "failover.flaky" : "failover.steady" }));
    const lines = selectRequests(grouped, { sinceMs: SINCE, model: "failover.flaky" });
    expect(lines.length).toBe(Math.floor(rows.length / 2));
    expect(lines.every((l) => l.model === "failover" && l.deployment === "failover.flaky")).toBe(true);
    expect(formatRequestLine(lines[0])).toContain("  failover -> failover.flaky  ");
  });

  test.each([
    [{ key: "openclaw" }, 3],
    [{ key: "tiny", status: "failure" as const }, 2],
    [{ status: "success" as const }, 3],
    [{ model: "gpt-4o" }, 1],
    [{ model: "openai/mock" }, 7],
  ])("filters %j", (filter, count) => {
    expect(selectRequests(rows, { sinceMs: SINCE, ...filter })).toHaveLength(count);
  });

  test("a key filter takes the configured alias for the scoped one LiteLLM keeps", () => {
    const scoped = rows.map((r: any) => ({ ...r, metadata: { ...r.metadata, user_api_key_alias: r.metadata.user_api_key_alias ? `litellm/${r.metadata.user_api_key_alias}` : null } }));
    expect(selectRequests(scoped, { sinceMs: SINCE, key: "openclaw" })).toHaveLength(3);
  });

  test("--since: durations, dates and times; anything else is refused with the forms it takes", () => {
    const now = Date.parse("2026-11-29T12:00:00Z");
    expect(parseSince("2h", now)).toBe(now - 7_200_000);
    expect(parseSince("1w", now)).toBe(now - 604_800_000);
    expect(parseSince("2026-11-28", now)).toBe(Date.parse("2026-11-28T00:00:00Z"));
    expect(() => parseSince("yesterday", now)).toThrow('--since "yesterday" is not a time: use 30m, 2h, 1d, 1w, 2026-11-29 or 2026-11-29T10:00:00Z');
  });

  test("bodies: shown when stored, and said to be off when not", () => {
    expect(formatBodies(rows[2])).toContain("request: (not stored: logging.storeRequestBodies is off");
    // Where LiteLLM 1.108.5 keeps them (the e2e database suite checks it on the real proxy): the
    // request's body in proxy_server_request, `messages` left as {} for anything but realtime calls.
    const stored = { ...rows[2], messages: {}, proxy_server_request: { model: "mock", messages: [{ role: "user", content: "hello" }] }, response: { choices: [{ message: { content: "hi" } }] } };
    expect(formatBodies(stored)).toContain('"content": "hello"');
    expect(formatBodies(stored)).toContain('"content": "hi"');
  });
});

describe("[replay of LiteLLM 1.108.5's recorded answers, not LiteLLM] npm run logs", () => {
  const MASTER = "sk-replay-master-0000";
  const replay = new LiteLLMReplay(MASTER);
  const root = join(__dirname, "..", "..");
  const config = join(mkdtempSync(join(tmpdir(), "logs-")), "stack.config.yaml");
  writeFileSync(config, "name: logs\nmodels:\n  - preset: mock\n");
  const env = () => ({ PATH: process.env.PATH ?? "", LITELLM_STACK_CONFIG: config, LITELLM_BASE_URL: replay.url, LITELLM_MASTER_KEY: MASTER });
  // Asynchronous: the replay answers from this very process, so the test must not block it.
  const logs = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(join(root, "node_modules/.bin/tsx"), ["scripts/logs.ts", ...args], { cwd: root, env: env() });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });

  beforeAll(() => replay.start());
  afterAll(() => replay.stop());
  beforeEach(() => {
    replay.reset();
    replay.spendLogs = rows;
  });

  test("prints one line per request, newest first; --json gives one object per line", async () => {
    const text = await logs(["--since", "2026-11-29"]);
    expect(text.status).toBe(0);
    expect(text.stdout.trim().split("\n")).toHaveLength(8);
    const json = await logs(["--since", "2026-11-29", "--json", "--status", "failure", "--limit", "2"]);
    const objects = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(objects).toHaveLength(2);
    expect(objects.every((o) => o.status === "failure" && typeof o.error === "string")).toBe(true);
  });

  test("wrong usage exits 2 with one line", async () => {
    const run = await logs(["--status", "maybe"]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('error: --status must be success or failure, not "maybe"');
  });

  test("--follow prints requests that arrive later, once each", async () => {
    const child = spawn(join(root, "node_modules/.bin/tsx"), ["scripts/logs.ts", "--since", "2026-11-29", "--follow", "--json"], { cwd: root, env: env() });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    try {
      const deadline = Date.now() + 30_000;
      while (out.trim().split("\n").filter(Boolean).length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      replay.spendLogs = [...rows, { ...rows[6], request_id: "later-request", startTime: new Date().toISOString() }];
      while (!out.includes("later-request") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 2_500));
    } finally {
      child.kill("SIGINT");
    }
    const ids = out.trim().split("\n").map((l) => JSON.parse(l).id);
    expect(ids).toHaveLength(9);
    expect(ids.at(-1)).toBe("later-request");
  }, 60_000);
});
