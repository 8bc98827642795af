/** The admin client and reconciler against a local REPLAY of LiteLLM's documented API, not LiteLLM. */
import { reconcileKeys, tearDownKeys } from "../../src/operations/key-reconciler";
import { AdminError, LiteLLMAdmin } from "../../src/operations/litellm-admin";
import { tokenHash } from "../../src/operations/key-plan";
import { buildUsageReport } from "../../src/operations/usage-report";
import { LiteLLMReplay } from "../replay/litellm-replay-server";
import { validConfig } from "./helpers";

const MASTER = "sk-replay-master";
const replay = new LiteLLMReplay(MASTER);
const quiet = () => undefined;

beforeAll(() => replay.start());
afterAll(() => replay.stop());
beforeEach(() => {
  replay.keys.clear();
  replay.dbState = "connected";
});

const withKeys = (keys: unknown[]) => validConfig({ keys });
const values = { openclaw: "sk-openclaw-value", ci: "sk-ci-value" };

describe("[replay of LiteLLM's API, not LiteLLM] key reconciler", () => {
  const admin = () => new LiteLLMAdmin(replay.url, MASTER);

  test("creates declared keys with their budgets and the value from state", async () => {
    const actions = await reconcileKeys(admin(), withKeys([{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }]), values, quiet);
    expect(actions.map((a) => a.kind)).toEqual(["create"]);
    expect(replay.keys.get(tokenHash(values.openclaw))).toMatchObject({ key_alias: "openclaw", max_budget: 50, budget_duration: "monthly" });
  });

  test("a second deploy creates no duplicate; a changed budget is updated in place", async () => {
    const config = withKeys([{ alias: "openclaw", maxBudget: 50 }]);
    await reconcileKeys(admin(), config, values, quiet);
    expect((await reconcileKeys(admin(), config, values, quiet)).map((a) => a.kind)).toEqual(["keep"]);
    const raised = withKeys([{ alias: "openclaw", maxBudget: 75, models: ["mock"] }]);
    expect((await reconcileKeys(admin(), raised, values, quiet)).map((a) => a.kind)).toEqual(["update"]);
    expect(replay.keys.size).toBe(1);
    expect(replay.keys.get(tokenHash(values.openclaw))).toMatchObject({ max_budget: 75, models: ["mock"] });
  });

  test("a key removed from the configuration is deleted; a key made by hand is not", async () => {
    await reconcileKeys(admin(), withKeys([{ alias: "openclaw", maxBudget: 5 }, { alias: "ci", maxBudget: 1 }]), values, quiet);
    await admin().generateKey({ key: "sk-by-hand", key_alias: "by-hand" });
    const actions = await reconcileKeys(admin(), withKeys([{ alias: "openclaw", maxBudget: 5 }]), values, quiet);
    expect(actions).toContainEqual(expect.objectContaining({ kind: "delete", alias: "ci" }));
    expect([...replay.keys.values()].map((k) => k.key_alias).sort()).toEqual(["by-hand", "openclaw"]);
  });

  test("teardown deletes the stack's keys", async () => {
    await reconcileKeys(admin(), withKeys([{ alias: "openclaw", maxBudget: 5 }]), values, quiet);
    await tearDownKeys(admin(), withKeys([{ alias: "openclaw", maxBudget: 5 }]), quiet);
    expect(replay.keys.size).toBe(0);
  });

  test("pages through /key/list", async () => {
    for (let i = 0; i < 120; i++) await admin().generateKey({ key: `sk-hand-${i}`, key_alias: `hand-${i}` });
    expect(await admin().listKeys()).toHaveLength(120);
  });

  test("fails clearly: no database, wrong master key, proxy unreachable, no key value", async () => {
    replay.dbState = "Not connected";
    await expect(reconcileKeys(admin(), withKeys([{ alias: "openclaw", maxBudget: 5 }]), values, quiet)).rejects.toThrow(
      /has no database connected \(readiness: db Not connected\): virtual keys and spend logs need database.enabled/,
    );
    replay.dbState = "connected";
    await expect(new LiteLLMAdmin(replay.url, "sk-wrong").listKeys()).rejects.toThrow(/refused the master key \(HTTP 401\)/);
    await expect(new LiteLLMAdmin("http://127.0.0.1:9", MASTER, 2000).requireDatabase()).rejects.toThrow(
      /cannot reach http:\/\/127.0.0.1:9\/health\/readiness/,
    );
    await expect(reconcileKeys(admin(), withKeys([{ alias: "nokey", maxBudget: 1 }]), values, quiet)).rejects.toThrow(AdminError);
  });

  test("errors never carry the master key", async () => {
    const error = await new LiteLLMAdmin(replay.url, "sk-secret-wrong").listKeys().catch((e: Error) => e);
    expect(String(error)).not.toContain("sk-secret-wrong");
  });
});

describe("[replay of LiteLLM's API, not LiteLLM] usage report", () => {
  test("reads keys and spend logs into the report", async () => {
    const admin = new LiteLLMAdmin(replay.url, MASTER);
    await reconcileKeys(admin, withKeys([{ alias: "openclaw", maxBudget: 50 }]), values, quiet);
    replay.keys.get(tokenHash(values.openclaw))!.spend = 5;
    replay.spendLogs = [
      { request_id: "r1", api_key: tokenHash(values.openclaw), model: "openai/mock", model_group: "mock", spend: 0.5, total_tokens: 30, startTime: "2026-11-20T00:00:00Z", call_type: "acompletion" },
    ];
    const report = buildUsageReport(await admin.listKeys(), await admin.spendLogs("2026-11-01", "2026-11-29"), { start: "2026-11-01", end: "2026-11-29" });
    expect(report.rows).toEqual([{ alias: "openclaw", model: "mock", requests: 1, tokens: 30, spend: 0.5 }]);
    expect(report.budgets[0]).toMatchObject({ alias: "openclaw", spent: 5, left: 45, usedPercent: 10 });
  });
});
