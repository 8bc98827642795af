import JSON5 from "json5";
import { buildLiteLLMConfig } from "../../src/generate/litellm-config";
import { buildOpenClawSnippet, renderOpenClawSnippet } from "../../src/generate/openclaw-snippet";
import { validConfig } from "./helpers";

describe("renderOpenClawSnippet", () => {
  const config = validConfig({ openclaw: { primary: "claude-opus-4-6", fallbacks: ["gpt-4o"] } });
  const snippet = JSON5.parse(renderOpenClawSnippet(config));

  test("parses as JSON5 into the typed snippet", () => {
    expect(snippet).toEqual(buildOpenClawSnippet(config));
  });

  test("describes the litellm provider the way OpenClaw expects", () => {
    const provider = snippet.models.providers.litellm;
    expect(provider.baseUrl).toBe("http://localhost:4000");
    expect(provider.apiKey).toBe("${LITELLM_API_KEY}");
    expect(provider.api).toBe("openai-completions");
    expect(Object.keys(provider).sort()).toEqual(["api", "apiKey", "baseUrl", "models"]);
  });

  test("carries each model's metadata, maxTokens always", () => {
    const [opus] = snippet.models.providers.litellm.models;
    expect(opus).toEqual({
      id: "claude-opus-4-6",
      name: "Claude Opus 4.6",
      reasoning: true,
      input: ["text", "image"],
      contextWindow: 200000,
      maxTokens: 64000,
      cost: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    });
    for (const model of snippet.models.providers.litellm.models) expect(model.maxTokens).toBeGreaterThan(0);
  });

  test("offers exactly the models LiteLLM serves", () => {
    const served = buildLiteLLMConfig(config).model_list.map((d) => d.model_name);
    expect(snippet.models.providers.litellm.models.map((m: { id: string }) => m.id)).toEqual(served);
  });

  test("sets OpenClaw's primary model and fallbacks as provider/model refs", () => {
    expect(snippet.agents.defaults.model).toEqual({ primary: "litellm/claude-opus-4-6", fallbacks: ["litellm/gpt-4o"] });
    expect(buildOpenClawSnippet(validConfig({ openclaw: {} })).agents.defaults.model).toEqual({ primary: "litellm/claude-opus-4-6" });
  });

  test("advertises the configured base URL", () => {
    const shared = buildOpenClawSnippet(validConfig({ openclaw: { baseUrl: "https://llm.team.example:8443" } }));
    expect(shared.models.providers.litellm.baseUrl).toBe("https://llm.team.example:8443");
  });
});
