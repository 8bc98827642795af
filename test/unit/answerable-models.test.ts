/**
 * A model whose upstream credential is not set is left out of the proxy and the snippet (OpenClaw
 * would take the provider's 401 for its own key being wrong); the real OpenClaw's first turn on a
 * default deploy without provider keys: test/e2e/first-run.e2e.test.ts.
 */
import { answerableCatalog } from "../../src/catalog/answerable-models";
import { renderOpenClawSnippet } from "../../src/generate/openclaw-snippet";
import { buildLiteLLMConfig } from "../../src/generate/litellm-config";
import { validConfig } from "./helpers";

// The default catalog's shape: Claude first (primary), GPT-4o as its fallback, the mock.
const config = validConfig();

describe("the catalog as the deployer's environment lets it answer", () => {
  test("with no provider key: only the mock, which becomes the primary; the fallbacks that named the others go", () => {
    const { config: answerable, warnings } = answerableCatalog(config, {});
    expect(answerable.models.map((m) => m.id)).toEqual(["mock"]);
    expect(answerable.openclaw.primary).toBe("mock");
    expect(answerable.router.fallbacks).toEqual({});
    expect(buildLiteLLMConfig(answerable).model_list.map((d) => d.model_name)).toEqual(["mock"]);
    expect(renderOpenClawSnippet(answerable)).toContain("primary: 'litellm/mock'");
    expect(renderOpenClawSnippet(answerable)).not.toContain("claude-opus-4-6");
    expect(warnings).toEqual([
      "warning: ANTHROPIC_API_KEY not set: claude-opus-4-6 is left out of the proxy and the OpenClaw snippet until it is set and the stack redeployed",
      "warning: OPENAI_API_KEY not set: gpt-4o is left out of the proxy and the OpenClaw snippet until it is set and the stack redeployed",
      "warning: OpenClaw's primary model is mock for now (claude-opus-4-6, the configured one, cannot answer yet)",
    ]);
  });

  test("one key set (as NAME or as TF_VAR_NAME): that model stays with its primary role; a fallback list that empties goes", () => {
    for (const env of [{ ANTHROPIC_API_KEY: "sk-ant" }, { TF_VAR_ANTHROPIC_API_KEY: "sk-ant" }]) {
      const { config: answerable, warnings } = answerableCatalog(config, env);
      expect(answerable.models.map((m) => m.id)).toEqual(["claude-opus-4-6", "mock"]);
      expect(answerable.openclaw.primary).toBe("claude-opus-4-6");
      expect(answerable.router.fallbacks).toEqual({});
      expect(warnings).toHaveLength(1);
    }
  });

  test("every key set: the catalog as written, no warning; a key's own model list is never changed", () => {
    const withKey = validConfig({ keys: [{ alias: "team", maxBudget: 1, models: ["gpt-4o"] }] });
    expect(answerableCatalog(withKey, { ANTHROPIC_API_KEY: "a", OPENAI_API_KEY: "o" })).toEqual({ config: withKey, warnings: [] });
    // Emptied, the list would mean every model: it stays as written, and the key reaches nothing yet.
    expect(answerableCatalog(withKey, {}).config.keys[0].models).toEqual(["gpt-4o"]);
  });

  test("no model can answer: the catalog as written (never an empty proxy), each failing model named", () => {
    const onlyProviders = validConfig({ models: [{ preset: "gpt-4o" }], router: {}, openclaw: { primary: "gpt-4o" } });
    const { config: kept, warnings } = answerableCatalog(onlyProviders, {});
    expect(kept).toBe(onlyProviders);
    expect(warnings).toEqual(["warning: OPENAI_API_KEY not set: gpt-4o will fail until it is set and the stack redeployed"]);
  });
});
