import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadStackConfig } from "../../src/catalog/load-config";
import { generateKeyBody, keySettings, MANAGED_BY } from "../../src/generate/virtual-keys";
import { type ExistingKey, planKeyChanges, planKeyTeardown, tokenHash } from "../../src/proxy-admin/key-plan";

import { recordRevokedKeys } from "../../src/proxy-admin/revoked-keys";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { configInput, problemsOf, validConfig } from "./helpers";

describe("key declarations", () => {
  test("the default configuration declares the seed's openclaw key", () => {
    const config = loadStackConfig(join(__dirname, "../../stack.config.yaml"));
    expect(config.keys).toEqual([{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }]);
  });

  test("fails on unknown model ids, negative budgets, malformed periods and duplicate aliases", () => {
    const problems = problemsOf(
      configInput({
        keys: [
          { alias: "a", maxBudget: -1, models: ["gpt-9"] },
          { alias: "b", maxBudget: 5, budgetDuration: "fortnightly" },
          { alias: "a", maxBudget: 5, expiresAfter: "30 days" },
        ],
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "keys[0].maxBudget: must not be negative",
        expect.stringMatching(/^keys\[1\]\.budgetDuration: must be hourly, daily, weekly, monthly/),
        expect.stringMatching(/^keys\[2\]\.expiresAfter: must be hourly/),
      ]),
    );
    expect(problems).toHaveLength(3);
    // Once the fields are right, the references are checked.
    expect(
      problemsOf(configInput({ keys: [{ alias: "a", maxBudget: 1, models: ["gpt-9"] }, { alias: "a", maxBudget: 2 }] })),
    ).toEqual([expect.stringMatching(/^keys\[0\]\.models\[0\]: "gpt-9" is not a model id/), 'keys[1].alias: duplicate alias "a" (also keys[0])']);
  });

  test("fails when keys are declared without the database", () => {
    expect(problemsOf(configInput({ database: { enabled: false }, keys: [{ alias: "a", maxBudget: 1 }] }))).toEqual([
      "keys: virtual keys need the database: remove them or set database.enabled: true",
    ]);
  });

  test("a key becomes LiteLLM's /key/generate body, tagged as the stack's", () => {
    const config = validConfig({ keys: [{ alias: "ci", maxBudget: 10, budgetDuration: "30d", models: ["mock", "gpt-4o"], rpmLimit: 60, expiresAfter: "90d" }] });
    expect(generateKeyBody(keySettings(config.name, config.keys[0]), "sk-value", config.keys[0].expiresAfter)).toEqual({
      key_alias: "unit/ci",
      key: "sk-value",
      max_budget: 10,
      budget_duration: "30d",
      models: ["gpt-4o", "mock"],
      rpm_limit: 60,
      tpm_limit: null,
      max_parallel_requests: null,
      duration: "90d",
      metadata: { managed_by: MANAGED_BY, stack: "unit", alias: "ci" },
    });
  });

  test("each key gets a generated value, output as sensitive", () => {
    const config = validConfig({ keys: [{ alias: "openclaw", maxBudget: 50 }, { alias: "ci", maxBudget: 5 }] });
    const json = JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config })));
    expect(json.output.virtual_keys.sensitive).toBe(true);
    expect(Object.keys(json.output.virtual_keys.value).sort()).toEqual(["ci", "openclaw"]);
    // A value a restore brought back wins (the secret inputs file), else the generated one.
    const local = /^\$\{local\.(secrets_key_openclaw_[0-9A-F]{8})\}$/.exec(json.output.virtual_keys.value.openclaw)?.[1] as string;
    expect(json.locals[local]).toMatch(/^\$\{lookup\(local\.secret_inputs, "virtual_key\.openclaw", ""\) != "" \? lookup\(local\.secret_inputs, "virtual_key\.openclaw", ""\) : local\.secrets_key_openclaw_generated_[0-9A-F]{8}\}$/);
    const generated = Object.keys(json.locals).find((name) => name.startsWith("secrets_key_openclaw_generated_")) as string;
    expect(json.locals[generated]).toMatch(/^sk-\$\{random_password\.secrets_key-openclaw_[0-9A-F]{8}\.result\}$/);
    const passwords = Object.keys(json.resource.random_password);
    for (const alias of ["openclaw", "ci"]) {
      expect(passwords).toContainEqual(expect.stringMatching(new RegExp(`^secrets_key-${alias}_[0-9A-F]{8}$`)));
    }
    expect(json.resource.random_password[passwords.find((p) => p.includes("key-ci")) as string]).toMatchObject({ length: 40, special: false });
    expect(Object.values(json.resource.random_password).filter((p) => (p as { keepers?: unknown }).keepers)).toEqual([]);
  });

  test("a value keys reconcile revoked while state held it is never handed out again: its hash keeps the value, so a change draws a new one", () => {
    const dir = mkdtempSync(join(tmpdir(), "revoked-"));
    const config = validConfig({ keys: [{ alias: "openclaw", maxBudget: 50 }, { alias: "ci", maxBudget: 5 }] });
    recordRevokedKeys(dir, config.name, [{ alias: "ci", tokenHash: tokenHash("sk-old") }]);
    const json = JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: dir })));
    const passwords = json.resource.random_password as Record<string, { keepers?: Record<string, string> }>;
    const keepers = (alias: string) => Object.entries(passwords).find(([id]) => id.includes(`key-${alias}_`))?.[1].keepers;
    expect(keepers("ci")).toEqual({ revoked: tokenHash("sk-old") });
    expect(keepers("openclaw")).toBeUndefined();
    rmSync(dir, { recursive: true });
  });
});

describe("planKeyChanges", () => {
  const config = validConfig({ keys: [{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }] });
  const settings = keySettings(config.name, config.keys[0]);
  const desired = [{ alias: "openclaw", settings, tokenHash: tokenHash("sk-abc"), value: "sk-abc" }];
  const existing = (overrides: Partial<ExistingKey> = {}): ExistingKey => ({
    token: tokenHash("sk-abc"),
    key_alias: "unit/openclaw",
    max_budget: 50,
    budget_duration: "monthly",
    models: [],
    rpm_limit: null,
    tpm_limit: null,
    max_parallel_requests: null,
    metadata: { managed_by: MANAGED_BY, stack: "unit" },
    status: "active",
    ...overrides,
  });
  const found = (...keys: ExistingKey[]) => new Map(keys.map((k) => [k.token, k]));

  test("creates a key the proxy does not have, or only has in its archive of deleted keys", () => {
    expect(planKeyChanges(desired, [], found())).toEqual([{ kind: "create", alias: "openclaw", desired: desired[0] }]);
    expect(planKeyChanges(desired, [], found(existing({ status: "deleted" })))).toEqual([{ kind: "create", alias: "openclaw", desired: desired[0] }]);
  });

  test("leaves a key that matches alone", () => {
    expect(planKeyChanges(desired, [], found(existing()))).toEqual([{ kind: "keep", alias: "openclaw" }]);
  });

  test("updates only what changed: budget, period, models, limits, the scoped alias", () => {
    expect(planKeyChanges(desired, [], found(existing({ max_budget: 20, models: ["mock"], key_alias: "openclaw" })))).toEqual([
      { kind: "update", alias: "openclaw", token: tokenHash("sk-abc"), changes: { key_alias: "unit/openclaw", max_budget: 50, models: [] } },
    ]);
  });

  test("deletes a retired key that is still live, first; never a key whose hash is not the stack's", () => {
    const old = existing({ token: "t-old", key_alias: "unit/old" });
    const foreign = existing({ token: "t-hand", key_alias: "unit/by-hand" });
    expect(planKeyChanges(desired, [{ alias: "old", tokenHash: "t-old" }], found(existing(), old, foreign))).toEqual([
      { kind: "delete", alias: "old", token: "t-old", reason: "no longer in the configuration" },
      { kind: "keep", alias: "openclaw" },
    ]);
  });

  test("a retired value of a kept alias is 'replaced'; a retired key already gone needs nothing", () => {
    expect(planKeyChanges(desired, [{ alias: "openclaw", tokenHash: "t-lost" }], found(existing({ token: "t-lost" })))[0]).toEqual({
      kind: "delete",
      alias: "openclaw",
      token: "t-lost",
      reason: "replaced by a new value in Terraform state",
    });
    expect(planKeyChanges([], [{ alias: "gone", tokenHash: "t-gone" }], found(existing({ token: "t-gone", status: "deleted" })))).toEqual([]);
  });

  test("a key both retired and desired (same value) is never deleted", () => {
    expect(planKeyChanges(desired, [{ alias: "openclaw", tokenHash: tokenHash("sk-abc") }], found(existing()))).toEqual([{ kind: "keep", alias: "openclaw" }]);
  });

  test("teardown deletes exactly the live keys the stack holds, once each", () => {
    const held = [{ alias: "openclaw", tokenHash: tokenHash("sk-abc") }, { alias: "openclaw", tokenHash: tokenHash("sk-abc") }, { alias: "x", tokenHash: "t-x" }];
    expect(planKeyTeardown(held, found(existing(), existing({ token: "t-hand" })))).toEqual([
      { kind: "delete", alias: "openclaw", token: tokenHash("sk-abc"), reason: "the stack is destroyed" },
    ]);
  });
});
