/**
 * Budgets that hold: a cost the file writes is what LiteLLM charges, and a key whose budget could
 * never count some of its requests is named at synth. The charge itself, against the real LiteLLM:
 * test/e2e/stack.e2e.test.ts (the budgeted key on the priced mock).
 */
import { freeModelBudgetWarnings } from "../../src/catalog/budget-warnings";
import { buildLiteLLMConfig } from "../../src/generate/litellm-config";
import { validConfig } from "./helpers";

const mockWith = (fields: Record<string, unknown>) => ({ preset: "mock", id: "priced", name: "Priced", ...fields });

describe("a cost written in the file is charged", () => {
  test("on an entry that writes it: catalog pricing, so LiteLLM charges it (per token)", () => {
    const config = validConfig({ models: [mockWith({ cost: { input: 1000, output: 2000 } })], openclaw: { primary: "priced" }, router: {} });
    expect(config.models[0].deployments[0].pricing).toBe("catalog");
    expect(buildLiteLLMConfig(config).model_list[0].litellm_params).toMatchObject({ input_cost_per_token: 0.001, output_cost_per_token: 0.002 });
  });

  test("a preset's cost is OpenClaw's display of a price LiteLLM knows itself; pricing: litellm keeps LiteLLM's price", () => {
    expect(validConfig({ models: [{ preset: "gpt-4o" }], openclaw: { primary: "gpt-4o" }, router: {} }).models[0].deployments[0].pricing).toBe("litellm");
    const kept = validConfig({ models: [mockWith({ cost: { input: 1, output: 1 }, pricing: "litellm" })], openclaw: { primary: "priced" }, router: {} });
    expect(kept.models[0].deployments[0].pricing).toBe("litellm");
    expect(buildLiteLLMConfig(kept).model_list[0].litellm_params).not.toHaveProperty("input_cost_per_token");
  });
});

describe("a budgeted key that can reach a model costing nothing is named at synth", () => {
  const models = [{ preset: "gpt-4o" }, { preset: "mock" }, mockWith({ cost: { input: 1000, output: 1000 } })];
  const warningsFor = (keys: unknown[], extraModels: unknown[] = []) =>
    freeModelBudgetWarnings(validConfig({ models: [...models, ...extraModels], keys, openclaw: { primary: "gpt-4o" }, router: {} }));

  test("the free mock under a key of all models: named, with what to do", () => {
    expect(warningsFor([{ alias: "openclaw", maxBudget: 0.01 }])).toEqual([
      'warning: key "openclaw" has a budget of $0.01, but its requests to mock cost nothing and never count against it; ' +
        "give such a model a cost (models[].cost, USD per million tokens) to charge it, or leave it out of the key's models",
    ]);
  });

  test("a key limited to priced models, or a mock with a price, gives none; a catalog price of zero does", () => {
    expect(warningsFor([{ alias: "openclaw", maxBudget: 1, models: ["gpt-4o", "priced"] }])).toEqual([]);
    const zero = { preset: "mock", id: "zero", name: "Zero", cost: { input: 0, output: 0 } };
    expect(warningsFor([{ alias: "team", maxBudget: 1, models: ["zero", "priced"] }], [zero])).toEqual([
      expect.stringMatching(/^warning: key "team" has a budget of \$1, but its requests to zero cost nothing/),
    ]);
  });
});
