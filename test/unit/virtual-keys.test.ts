import { join } from "node:path";
import { Testing } from "cdktf";
import { loadStackConfig } from "../../src/catalog/load-config";
import { generateKeyBody, keySettings, MANAGED_BY } from "../../src/generate/virtual-keys";
import { type ExistingKey, planKeyChanges, planKeyTeardown, tokenHash } from "../../src/operations/key-plan";

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
      key_alias: "ci",
      key: "sk-value",
      max_budget: 10,
      budget_duration: "30d",
      models: ["gpt-4o", "mock"],
      rpm_limit: 60,
      tpm_limit: null,
      max_parallel_requests: null,
      duration: "90d",
      metadata: { managed_by: MANAGED_BY, stack: "unit" },
    });
  });

  test("each key gets a generated value, output as sensitive", () => {
    const config = validConfig({ keys: [{ alias: "openclaw", maxBudget: 50 }, { alias: "ci", maxBudget: 5 }] });
    const json = JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config })));
    expect(json.output.virtual_keys.sensitive).toBe(true);
    expect(Object.keys(json.output.virtual_keys.value).sort()).toEqual(["ci", "openclaw"]);
    expect(json.output.virtual_keys.value.openclaw).toMatch(/^sk-\$\{random_password\.secrets_key-openclaw_[0-9A-F]{8}\.result\}$/);
    const passwords = Object.keys(json.resource.random_password);
    for (const alias of ["openclaw", "ci"]) {
      expect(passwords).toContainEqual(expect.stringMatching(new RegExp(`^secrets_key-${alias}_[0-9A-F]{8}$`)));
    }
    expect(json.resource.random_password[passwords.find((p) => p.includes("key-ci")) as string]).toMatchObject({ length: 40, special: false });
  });
});

describe("planKeyChanges", () => {
  const config = validConfig({ keys: [{ alias: "openclaw", maxBudget: 50, budgetDuration: "monthly" }] });
  const settings = keySettings(config.name, config.keys[0]);
  const desired = [{ settings, tokenHash: tokenHash("sk-abc"), value: "sk-abc" }];
  const existing = (overrides: Partial<ExistingKey> = {}): ExistingKey => ({
    token: tokenHash("sk-abc"),
    key_alias: "openclaw",
    max_budget: 50,
    budget_duration: "monthly",
    models: [],
    rpm_limit: null,
    tpm_limit: null,
    max_parallel_requests: null,
    metadata: { managed_by: MANAGED_BY, stack: "unit" },
    ...overrides,
  });

  test("creates a key that does not exist", () => {
    expect(planKeyChanges("unit", desired, [])).toEqual([{ kind: "create", alias: "openclaw", desired: desired[0] }]);
  });

  test("leaves a key that matches alone", () => {
    expect(planKeyChanges("unit", desired, [existing()])).toEqual([{ kind: "keep", alias: "openclaw" }]);
  });

  test("updates only what changed: budget, period, models, limits", () => {
    expect(planKeyChanges("unit", desired, [existing({ max_budget: 20, models: ["mock"] })])).toEqual([
      { kind: "update", alias: "openclaw", token: tokenHash("sk-abc"), changes: { max_budget: 50, models: [] } },
    ]);
  });

  test("deletes a managed key that left the configuration, never a foreign one", () => {
    const foreign = [
      existing({ token: "t-hand", key_alias: "by-hand", metadata: {} }),
      existing({ token: "t-other", key_alias: "old", metadata: { managed_by: MANAGED_BY, stack: "another-stack" } }),
    ];
    expect(planKeyChanges("unit", [], [existing({ key_alias: "old", token: "t-old" }), ...foreign])).toEqual([
      { kind: "delete", alias: "old", token: "t-old", reason: "no longer in the configuration" },
    ]);
  });

  test("replaces a key whose value is not the one in state", () => {
    expect(planKeyChanges("unit", desired, [existing({ token: "t-lost" })])).toEqual([
      { kind: "delete", alias: "openclaw", token: "t-lost", reason: "its value is not the one in Terraform state" },
      { kind: "create", alias: "openclaw", desired: desired[0] },
    ]);
  });

  test("teardown deletes every key of the stack and only those", () => {
    const keys = [existing(), existing({ token: "t-hand", key_alias: "by-hand", metadata: null })];
    expect(planKeyTeardown("unit", keys)).toEqual([
      { kind: "delete", alias: "openclaw", token: tokenHash("sk-abc"), reason: "the stack is destroyed" },
    ]);
  });
});
