/**
 * The key reconciler against the real LiteLLM with its real database: the sequences the replay
 * tests (test/unit/litellm-admin.replay.test.ts) exercise on recorded answers, run here on the
 * proxy itself. Each test starts from a proxy without keys; what a key is, is asked of the proxy
 * (/key/info by hash, /key/list), never of a stand-in.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tokenHash } from "../../src/proxy-admin/key-plan";
import { reconcileKeys, reconcileStackKeys, retiredKeys, tearDownKeys, tearDownKeysOrWarn } from "../../src/proxy-admin/key-reconciler";
import { AdminError, LiteLLMAdmin } from "../../src/proxy-admin/litellm-admin";
import { readRetiredKeys } from "../../src/proxy-admin/retired-keys";
import { validConfig } from "../unit/helpers";
import { Deployment, freePort, loadE2EConfig } from "./harness/deployment";
import { assertEngineAnswers, docker } from "./harness/engine";
import { buildLocalImages } from "./harness/images";
import { chat } from "./harness/proxy-client";

assertEngineAnswers();
const images = buildLocalImages();
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const quiet = () => undefined;

let deployment: Deployment;
let scratch: string;
const admin = () => new LiteLLMAdmin(deployment.baseUrl, deployment.secrets.masterKey);
const stack = (name: string, keys: unknown[]) => validConfig({ name, keys });
const values = { openclaw: "sk-e2e-openclaw-value-000000", ci: "sk-e2e-ci-value-0000000000000" };

/** A key made by someone else, straight through LiteLLM's API. */
const handMade = (key: string, fields: Record<string, unknown>) => admin().generateKey({ key, ...fields });
/** The live key with this value, as the proxy reports it (undefined: none, or deleted). */
async function liveKey(value: string) {
  const info = await admin().keyInfo(tokenHash(value));
  return info && info.status !== "deleted" ? info : undefined;
}
const aliases = async () => (await admin().listKeys()).map((k) => k.key_alias).sort();

beforeAll(async () => {
  const config = loadE2EConfig({ name: `e2e-keys-${runId}`, port: await freePort(), databaseEnabled: true });
  deployment = new Deployment(config, config, images);
  await deployment.createNetworkAndVolume();
  await deployment.startPostgres();
  await deployment.startLiteLLM();
  await admin().requireDatabase();
  scratch = mkdtempSync(join(tmpdir(), "keys-e2e-"));
}, 5 * 60_000);

afterAll(async () => {
  await deployment?.destroy();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// Like the replay's reset: every test starts from a proxy without keys.
beforeEach(async () => {
  for (const key of await admin().listKeys()) await admin().deleteKey(key.token);
  expect(await admin().listKeys()).toEqual([]);
});

test("creates the declared key with its budget, the value from state and an alias scoped to the stack; the key works", async () => {
  const actions = await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }]), values, [], quiet);
  expect(actions.map((a) => a.kind)).toEqual(["create"]);
  expect(await liveKey(values.openclaw)).toMatchObject({ key_alias: "unit/openclaw", max_budget: 50, budget_duration: "monthly" });
  expect((await chat(deployment.baseUrl, values.openclaw, { model: "mock", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
});

test("a second deploy creates no duplicate; a changed budget is updated in place, never deleted and re-created", async () => {
  const config = stack("unit", [{ alias: "openclaw", maxBudget: 50 }]);
  await reconcileKeys(admin(), config, values, [], quiet);
  expect((await reconcileKeys(admin(), config, values, [], quiet)).map((a) => a.kind)).toEqual(["keep"]);
  const raised = stack("unit", [{ alias: "openclaw", maxBudget: 75, models: ["mock"] }]);
  expect((await reconcileKeys(admin(), raised, values, [], quiet)).map((a) => a.kind)).toEqual(["update"]);
  expect(await aliases()).toEqual(["unit/openclaw"]);
  expect(await liveKey(values.openclaw)).toMatchObject({ max_budget: 75, models: ["mock"] });
});

test("keys created by others while the reconciler runs, and listed across pages, never make it delete its own key", async () => {
  const config = stack("unit", [{ alias: "openclaw", maxBudget: 5 }, { alias: "ci", maxBudget: 1 }]);
  await reconcileKeys(admin(), config, values, [], quiet);
  // Over one page of /key/list (100), then more created while the reconciler and a listing run.
  for (let i = 0; i < 110; i++) await handMade(`sk-hand-made-key-${runId}-${String(i).padStart(4, "0")}`, { key_alias: `hand-${i}` });
  let inserting = true;
  const inserter = (async () => {
    for (let i = 0; inserting && i < 200; i++) await handMade(`sk-inserted-key-${runId}-${String(i).padStart(4, "0")}`, { key_alias: `inserted-${i}` });
  })();
  const [actions, listed] = await Promise.all([reconcileKeys(admin(), config, values, [], quiet), admin().listKeys()]);
  inserting = false;
  await inserter;
  expect(actions.map((a) => a.kind)).toEqual(["keep", "keep"]);
  expect(new Set(listed.map((k) => k.token)).size).toBe(listed.length);
  expect(listed.length).toBeGreaterThanOrEqual(112);
  expect(await liveKey(values.openclaw)).toBeDefined();
  expect(await liveKey(values.ci)).toBeDefined();
}, 5 * 60_000);

test("a hand-made key that copies the stack's metadata is never touched, by reconcile or teardown", async () => {
  const copy = "sk-copied-metadata-key-00000";
  await handMade(copy, { key_alias: "unit/old", metadata: { managed_by: "litellm-openclaw-stack", stack: "unit", alias: "old" } });
  await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
  await tearDownKeys(admin(), values, quiet);
  expect(await liveKey(copy)).toMatchObject({ key_alias: "unit/old" });
  expect(await liveKey(values.openclaw)).toBeUndefined();
});

test("two stacks on one proxy both declare openclaw: both deploy, and tearing one down leaves the other's", async () => {
  const other = { openclaw: "sk-other-stack-value-00000000" };
  await reconcileKeys(admin(), stack("alpha", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
  await reconcileKeys(admin(), stack("beta", [{ alias: "openclaw", maxBudget: 5 }]), other, [], quiet);
  expect(await aliases()).toEqual(["alpha/openclaw", "beta/openclaw"]);
  await tearDownKeys(admin(), values, quiet);
  expect(await aliases()).toEqual(["beta/openclaw"]);
});

test("a hand-made key holding the stack's alias gets a message naming it and what to do, not LiteLLM's raw 400", async () => {
  await handMade("sk-made-by-hand-000000000000", { key_alias: "unit/openclaw" });
  const error = await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet).catch((e: Error) => e);
  expect(error).toBeInstanceOf(AdminError);
  expect((error as Error).message).toMatch(/^cannot create key "openclaw": the proxy already has a key with the alias "unit\/openclaw" that is not this stack's/);
  expect(await liveKey(values.openclaw)).toBeUndefined();
});

test("an empty keys: revokes the keys the stack's state held, and only those; a revoked key is refused", async () => {
  await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }, { alias: "ci", maxBudget: 1 }]), values, [], quiet);
  await handMade("sk-made-by-hand-000000000000", { key_alias: "by-hand" });
  const actions = await reconcileKeys(admin(), stack("unit", []), {}, retiredKeys(values, {}), quiet);
  expect(actions.map((a) => [a.kind, a.alias])).toEqual([["delete", "openclaw"], ["delete", "ci"]]);
  expect(await aliases()).toEqual(["by-hand"]);
  expect((await chat(deployment.baseUrl, values.openclaw, { model: "mock", messages: [{ role: "user", content: "hi" }] })).status).toBe(401);
});

test("keys reconcile after the configuration dropped a key the state still holds: that key is revoked, the rest kept", async () => {
  await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }, { alias: "ci", maxBudget: 1 }]), values, [], quiet);
  const actions = await reconcileStackKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], scratch, quiet);
  expect(actions.map((a) => [a.kind, a.alias])).toEqual([["delete", "ci"], ["keep", "openclaw"]]);
  expect(await liveKey(values.ci)).toBeUndefined();
  expect(await liveKey(values.openclaw)).toMatchObject({ key_alias: "unit/openclaw" });
});

test("rotation: a key given a new value is revoked and the new one created under the same alias", async () => {
  const config = stack("unit", [{ alias: "openclaw", maxBudget: 5 }]);
  await reconcileKeys(admin(), config, values, [], quiet);
  const rotated = { openclaw: "sk-rotated-value-000000000000" };
  const actions = await reconcileKeys(admin(), config, rotated, retiredKeys(values, rotated), quiet);
  expect(actions.map((a) => a.kind)).toEqual(["delete", "create"]);
  expect(await liveKey(values.openclaw)).toBeUndefined();
  expect(await liveKey(rotated.openclaw)).toMatchObject({ key_alias: "unit/openclaw" });
});

test("keys created by an earlier version (unscoped alias) are taken over in place: found by hash, alias updated", async () => {
  await handMade(values.openclaw, { key_alias: "openclaw", max_budget: 5, metadata: { managed_by: "litellm-openclaw-stack", stack: "unit" } });
  const actions = await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
  expect(actions).toEqual([expect.objectContaining({ kind: "update", changes: expect.objectContaining({ key_alias: "unit/openclaw" }) })]);
  expect(await aliases()).toEqual(["unit/openclaw"]);
});

test("a key the proxy could not revoke (its database stopped) is recorded and revoked by the next run", async () => {
  await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
  const postgres = docker.getContainer(deployment.names.postgres);
  await postgres.stop({ t: 5 });
  try {
    await expect(reconcileStackKeys(admin(), stack("unit", []), {}, retiredKeys({ openclaw: values.openclaw }, {}), scratch, quiet)).rejects.toThrow(AdminError);
    expect(readRetiredKeys(scratch, "unit")).toEqual([{ alias: "openclaw", tokenHash: tokenHash(values.openclaw) }]);
  } finally {
    await postgres.start();
  }
  // LiteLLM reconnects on its own; the next run finishes the job.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await reconcileStackKeys(admin(), stack("unit", []), {}, [], scratch, quiet);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
  expect(await liveKey(values.openclaw)).toBeUndefined();
  expect(readRetiredKeys(scratch, "unit")).toEqual([]);
}, 4 * 60_000);

test("a caller-chosen value LiteLLM refuses (under 16 characters) fails with LiteLLM's reason", async () => {
  await expect(reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), { openclaw: "sk-short" }, [], quiet)).rejects.toThrow(
    /POST \/key\/generate at .* failed with HTTP 400: .*must be at least 16 characters long/,
  );
});

test("teardown's key step: the stack's keys go; a hand-made key with the stack's prefix stays", async () => {
  await reconcileKeys(admin(), stack("unit", [{ alias: "openclaw", maxBudget: 5 }]), values, [], quiet);
  await handMade("sk-made-by-hand-000000000000", { key_alias: "unit/by-hand", metadata: { managed_by: "litellm-openclaw-stack", stack: "unit" } });
  await tearDownKeysOrWarn(() => ({ admin: admin(), values }), scratch, "unit", quiet, quiet);
  expect(await aliases()).toEqual(["unit/by-hand"]);
});
