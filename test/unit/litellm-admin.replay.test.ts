/**
 * The key reconciler and the admin client against a REPLAY of LiteLLM 1.108.5's recorded answers
 * (test/replay/), not LiteLLM. The replay pages, orders and enforces aliases as LiteLLM's source
 * does; the budget refusal and spend writes themselves need the real database (e2e suite).
 */
import { reconcileKeys, reconcileStackKeys, retiredKeys, tearDownKeys, tearDownKeysOrWarn } from "../../src/proxy-admin/key-reconciler";
import { tokenHash } from "../../src/proxy-admin/key-plan";
import { AdminError, LiteLLMAdmin } from "../../src/proxy-admin/litellm-admin";
import { readRetiredKeys } from "../../src/proxy-admin/retired-keys";
import { readRevokedKeys } from "../../src/proxy-admin/revoked-keys";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LiteLLMReplay, recorded } from "../replay/litellm-replay-server";
import { validConfig } from "./helpers";

const MASTER = "sk-replay-master-0000";
const replay = new LiteLLMReplay(MASTER);
const quiet = () => undefined;

beforeAll(() => replay.start());
afterAll(() => replay.stop());
beforeEach(() => replay.reset());

const stack = (name: string, keys: unknown[]) => validConfig({ name, keys });
const values = { openclaw: "sk-openclaw-value-000000000000", ci: "sk-ci-value-0000000000000000" };
const admin = () => new LiteLLMAdmin(replay.url, MASTER);
const aliases = () => replay.keys.map((k) => k.key_alias).sort();

describe("[replay of LiteLLM 1.108.5's recorded answers, not LiteLLM] key reconciler", () => {
  test("creates declared keys with their budgets, the value from state and an alias scoped to the stack", async () => {
    const actions = await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }]), values, [], quiet);
    expect(actions.map((a) => a.kind)).toEqual(["create"]);
    expect(replay.liveKey(values.openclaw)).toMatchObject({ key_alias: "unit/openclaw", max_budget: 50, budget_duration: "monthly" });
  });

  test("a second deploy creates no duplicate; a changed budget is updated in place, never deleted and re-created", async () => {
    const config = stack("unit", [{ alias: "openclaw", maxBudget: 50 }]);
    await reconcileKeys(admin(), config, values, [], quiet);
    expect((await reconcileKeys(admin(), config, values, [], quiet)).map((a) => a.kind)).toEqual(["keep"]);
    const raised = stack("unit", [{ alias: "openclaw", maxBudget: 75, models: ["mock"] }]);
    expect((await reconcileKeys(admin(), raised, values, [], quiet)).map((a) => a.kind)).toEqual(["update"]);
    expect(replay.keys).toHaveLength(1);
    expect(replay.deleted.size).toBe(0);
    expect(replay.liveKey(values.openclaw)).toMatchObject({ max_budget: 75, models: ["mock"] });
  });

  test("keys created by others between the reconciler's requests never make it delete its own live key", async () => {
    const config = stack("unit", [{ alias: "openclaw", maxBudget: 5 }, { alias: "ci", maxBudget: 1 }]);
    await reconcileKeys(admin(), config, values, [], quiet);
    let n = 0;
    replay.beforeAnswer = () => replay.addKey(`sk-someone-else-${String(n++).padStart(8, "0")}`, { key_alias: `other-${n}` });
    const actions = await reconcileKeys(admin(), config, values, [], quiet);
    expect(actions.map((a) => a.kind)).toEqual(["keep", "keep"]);
    expect(replay.liveKey(values.openclaw)).toBeDefined();
    expect(replay.liveKey(values.ci)).toBeDefined();
    expect(replay.deleted.size).toBe(0);
  });

  test("listing while others create keys returns each key once (offset paging shifts rows)", async () => {
    for (let i = 0; i < 150; i++) replay.addKey(`sk-hand-made-key-${String(i).padStart(6, "0")}`, { key_alias: `hand-${i}` });
    let n = 0;
    replay.beforeAnswer = (path) => {
      if (path === "/key/list") replay.addKey(`sk-inserted-key-${String(n++).padStart(6, "0")}`, { key_alias: `inserted-${n}` });
    };
    const listed = await admin().listKeys();
    expect(new Set(listed.map((k) => k.token)).size).toBe(listed.length);
    expect(listed.length).toBeGreaterThanOrEqual(150);
  });

  test("a hand-made key that copies the stack's metadata is never touched, by reconcile or teardown", async () => {
    const copy = replay.addKey("sk-copied-metadata-key-0000", {
      key_alias: "unit/old",
      metadata: { managed_by: "litellm-openclaw-stack", stack: "unit", alias: "old" },
    });
    await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
    await tearDownKeys(admin(), values, quiet);
    expect(replay.liveKey(copy.token)).toBe(copy);
    expect(replay.liveKey(values.openclaw)).toBeUndefined();
  });

  test("two stacks on one proxy both declare openclaw: both deploy, and tearing one down leaves the other's", async () => {
    const other = { openclaw: "sk-other-stack-value-0000000" };
    await reconcileKeys(admin(), stack("alpha", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
    await reconcileKeys(admin(), stack("beta", [{ alias: "openclaw", maxBudget: 5 }]), other, [], quiet);
    expect(aliases()).toEqual(["alpha/openclaw", "beta/openclaw"]);
    await tearDownKeys(admin(), values, quiet);
    expect(aliases()).toEqual(["beta/openclaw"]);
  });

  test("a second checkout of the same stack (other values) cannot take the alias, and its teardown leaves the first's key", async () => {
    const config = stack("unit", [{ alias: "openclaw", maxBudget: 5 }]);
    await reconcileKeys(admin(), config, values, [], quiet);
    const secondCheckout = { openclaw: "sk-second-checkout-value-00" };
    await expect(reconcileKeys(admin(), config, secondCheckout, [], quiet)).rejects.toThrow(
      'cannot create key "openclaw": the proxy already has a key with the alias "unit/openclaw" that is not this stack\'s',
    );
    await tearDownKeys(admin(), secondCheckout, quiet);
    expect(replay.liveKey(values.openclaw)).toBeDefined();
  });

  test("an unmanaged key holding the alias gets a message naming it and what to do, not LiteLLM's raw 400", async () => {
    replay.addKey("sk-made-by-hand-00000000000", { key_alias: "unit/openclaw" });
    const error = await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet).catch((e: Error) => e);
    expect(error).toBeInstanceOf(AdminError);
    expect((error as Error).message).toBe(
      'cannot create key "openclaw": the proxy already has a key with the alias "unit/openclaw" that is not this stack\'s (its value is in no state of this stack; ' +
        "LiteLLM needs aliases unique across the proxy). Delete or rename that key in LiteLLM if it is a leftover, or give this key another alias under keys:",
    );
  });

  test("an empty keys: revokes the keys the stack's state held before the deploy, and only those", async () => {
    await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }, { alias: "ci", maxBudget: 1 }]), values, [], quiet);
    replay.addKey("sk-made-by-hand-00000000000", { key_alias: "by-hand" });
    const actions = await reconcileKeys(admin(), stack("unit", []), {}, retiredKeys(values, {}), quiet);
    expect(actions.map((a) => [a.kind, a.alias])).toEqual([["delete", "openclaw"], ["delete", "ci"]]);
    expect(aliases()).toEqual(["by-hand"]);
  });

  test("keys reconcile after the configuration dropped a key the state still holds: that key is revoked, the rest kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "reconcile-"));
    await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }, { alias: "ci", maxBudget: 1 }]), values, [], quiet);
    const actions = await reconcileStackKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], dir, quiet);
    expect(actions.map((a) => [a.kind, a.alias])).toEqual([["delete", "ci"], ["keep", "openclaw"]]);
    expect(actions[0]).toMatchObject({ reason: "no longer in the configuration" });
    expect(replay.liveKey(values.ci)).toBeUndefined();
    expect(replay.liveKey(values.openclaw)).toMatchObject({ key_alias: "unit/openclaw" });
    // State still holds ci's value: recorded, so that declaring ci again draws a new one.
    expect(readRevokedKeys(dir, "unit")).toEqual({ ci: [tokenHash(values.ci)] });
  });

  test("a key given a new value (state replaced it) is revoked and the new one created under the same alias", async () => {
    const config = stack("unit", [{ alias: "openclaw", maxBudget: 5 }]);
    await reconcileKeys(admin(), config, values, [], quiet);
    const rotated = { openclaw: "sk-rotated-value-00000000000" };
    const actions = await reconcileKeys(admin(), config, rotated, retiredKeys(values, rotated), quiet);
    expect(actions.map((a) => a.kind)).toEqual(["delete", "create"]);
    expect(replay.liveKey(values.openclaw)).toBeUndefined();
    expect(replay.liveKey(rotated.openclaw)).toMatchObject({ key_alias: "unit/openclaw" });
  });

  test("keys created by an earlier version (unscoped alias) are taken over in place: found by hash, alias updated", async () => {
    replay.addKey(values.openclaw, { key_alias: "openclaw", max_budget: 5, metadata: { managed_by: "litellm-openclaw-stack", stack: "unit" } });
    const actions = await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
    expect(actions).toEqual([expect.objectContaining({ kind: "update", changes: expect.objectContaining({ key_alias: "unit/openclaw" }) })]);
    expect(replay.keys).toHaveLength(1);
  });

  test("retired keys the proxy could not revoke are recorded and revoked by the next run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "retired-"));
    await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
    replay.dbState = "Not connected";
    const held = { openclaw: values.openclaw };
    await expect(reconcileStackKeys(admin(), stack("unit", []), {}, retiredKeys(held, {}), dir, quiet)).rejects.toThrow(AdminError);
    expect(readRetiredKeys(dir, "unit")).toEqual([{ alias: "openclaw", tokenHash: tokenHash(values.openclaw) }]);
    replay.dbState = "connected";
    await reconcileStackKeys(admin(), stack("unit", []), {}, [], dir, quiet);
    expect(replay.liveKey(values.openclaw)).toBeUndefined();
    expect(readRetiredKeys(dir, "unit")).toEqual([]);
  });

  test("a caller-chosen value LiteLLM refuses (under 16 characters) fails with LiteLLM's reason", async () => {
    await expect(reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), { openclaw: "sk-short" }, [], quiet)).rejects.toThrow(
      /POST \/key\/generate at .* failed with HTTP 400: .*must be at least 16 characters long/,
    );
  });

  test("teardown's key step: the stack's keys (and earlier retired ones) go; nothing else", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teardown-"));
    await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
    replay.addKey("sk-made-by-hand-00000000000", { key_alias: "unit/by-hand", metadata: { managed_by: "litellm-openclaw-stack", stack: "unit" } });
    await tearDownKeysOrWarn(() => ({ admin: admin(), values }), dir, "unit", quiet, quiet);
    expect(aliases()).toEqual(["unit/by-hand"]);
  });

  test("fails clearly: no database, wrong master key, proxy unreachable, no key value", async () => {
    replay.dbState = "Not connected";
    await expect(reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet)).rejects.toThrow(
      /has no database connected \(readiness: db Not connected\): virtual keys and spend logs need database.enabled/,
    );
    replay.dbState = "connected";
    await expect(new LiteLLMAdmin(replay.url, "sk-wrong").listKeys()).rejects.toThrow(/refused the master key \(HTTP 401\)/);
    await expect(new LiteLLMAdmin("http://127.0.0.1:9", MASTER, 2000).requireDatabase()).rejects.toThrow(/cannot reach http:\/\/127.0.0.1:9\/health\/readiness/);
    await expect(reconcileKeys(admin(), stack("unit", [{ alias: "nokey", maxBudget: 1 }]), values, [], quiet)).rejects.toThrow(AdminError);
  });

  test("errors never carry the master key", async () => {
    const error = await new LiteLLMAdmin(replay.url, "sk-secret-wrong").listKeys().catch((e: Error) => e);
    expect(String(error)).not.toContain("sk-secret-wrong");
  });
});

describe("[replay of LiteLLM 1.108.5's recorded answers, not LiteLLM] spend logs", () => {
  const rows = () => recorded("spend-logs-summarize-false").body as Record<string, unknown>[];

  test("a period ending today includes today's requests (LiteLLM's end_date is exclusive)", async () => {
    replay.spendLogs = rows();
    const day = String(rows()[0].startTime).slice(0, 10);
    const logs = await admin().spendLogs(day, day);
    expect(logs.rows).toHaveLength(rows().length);
    expect(logs.truncated).toBe(false);
    // The deployment that served each request (usage --by deployment, logs) comes through.
    expect(logs.rows.map((r) => r.model_id)).toEqual(rows().map((r) => r.model_id));
    expect(logs.rows[0].model_id).toMatch(/^[0-9a-f]{64}$/);
    expect(replay.requests.at(-1)).toBe(`GET /spend/logs?start_date=${day}&end_date=${nextDay(day)}&summarize=false`);
  });

  test("more rows than LiteLLM returns without paging: the answer is flagged truncated", async () => {
    replay.spendLogs = rows();
    replay.maxSpendRows = 5;
    const day = String(rows()[0].startTime).slice(0, 10);
    const logs = await admin().spendLogs(day, day);
    expect(logs).toMatchObject({ truncated: true });
    expect(logs.rows).toHaveLength(5);
  });
});

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
