import { parse } from "yaml";
import { buildLiteLLMConfig, renderLiteLLMConfig } from "../../src/generate/litellm-config";
import { configInput, problemsOf, validConfig } from "./helpers";

describe("renderLiteLLMConfig", () => {
  const config = validConfig({
    models: [
      { preset: "claude-opus-4-6" },
      { preset: "bedrock-claude-sonnet-4-5" },
      { preset: "mock", apiBase: "http://upstream.internal:8080" },
    ],
    router: { routingStrategy: "least-busy", numRetries: 3, fallbacks: { "claude-opus-4-6": ["bedrock-claude-sonnet-4-5", "mock"] } },
  });
  const rendered = parse(renderLiteLLMConfig(config));

  test("is the YAML form of the typed config", () => {
    expect(rendered).toEqual(buildLiteLLMConfig(config));
  });

  test("lists one deployment per model, named by the id OpenClaw asks for", () => {
    expect(rendered.model_list.map((d: { model_name: string }) => d.model_name)).toEqual([
      "claude-opus-4-6",
      "bedrock-claude-sonnet-4-5",
      "mock",
    ]);
    expect(rendered.model_list[0].litellm_params).toEqual({
      model: "anthropic/claude-opus-4-6",
      api_key: "os.environ/ANTHROPIC_API_KEY",
    });
    expect(rendered.model_list[0].model_info).toEqual({
      mode: "chat",
      max_input_tokens: 200000,
      max_output_tokens: 64000,
      supports_vision: true,
      supports_reasoning: true,
    });
  });

  test("charges the catalog's prices only when a model asks for it", () => {
    const priced = buildLiteLLMConfig(
      validConfig({ models: [{ preset: "mock", pricing: "catalog", cost: { input: 2, output: 8 } }], router: {}, openclaw: {} }),
    );
    expect(priced.model_list[0].litellm_params).toMatchObject({ input_cost_per_token: 2 / 1e6, output_cost_per_token: 8 / 1e6 });
    expect(problemsOf(configInput({ models: [{ id: "x", name: "X", model: "openai/x", contextWindow: 10, maxTokens: 5, pricing: "catalog" }], router: {}, openclaw: {} }))).toEqual([
      'models[0].pricing: "catalog" needs a cost for the model',
    ]);
  });

  test("refers to every credential as os.environ/NAME", () => {
    expect(rendered.model_list[1].litellm_params).toMatchObject({
      model: "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      aws_access_key_id: "os.environ/AWS_ACCESS_KEY_ID",
      aws_secret_access_key: "os.environ/AWS_SECRET_ACCESS_KEY",
      aws_region_name: "os.environ/AWS_REGION_NAME",
    });
    expect(rendered.general_settings).toEqual({
      master_key: "os.environ/LITELLM_MASTER_KEY",
      database_url: "os.environ/DATABASE_URL",
      store_prompts_in_spend_logs: false,
    });
  });

  test("request bodies and log retention are the logging section's, and only with a database", () => {
    const withLogs = buildLiteLLMConfig(validConfig({ logging: { storeRequestBodies: true, retention: "30d" } }));
    expect(withLogs.general_settings).toMatchObject({ store_prompts_in_spend_logs: true, maximum_spend_logs_retention_period: "30d" });
    expect(buildLiteLLMConfig(validConfig({ database: { enabled: false } })).general_settings).toEqual({ master_key: "os.environ/LITELLM_MASTER_KEY" });
    expect(problemsOf(configInput({ database: { enabled: false }, logging: { storeRequestBodies: true } }))).toEqual([
      "logging: request logs live in the database: remove logging settings or set database.enabled: true",
    ]);
    expect(problemsOf(configInput({ logging: { retention: "forever" } }))).toEqual(["logging.retention: must be a number of hours, days or weeks, e.g. 30d"]);
  });

  test("carries api_base and mock_response", () => {
    expect(rendered.model_list[2].litellm_params).toMatchObject({
      api_base: "http://upstream.internal:8080",
      mock_response: "Hello from the LiteLLM mock model.",
    });
    expect(rendered.model_list[2].litellm_params).not.toHaveProperty("api_key");
  });

  test("writes routing and fallbacks in LiteLLM's list-of-maps form", () => {
    expect(rendered.router_settings).toEqual({
      routing_strategy: "least-busy",
      num_retries: 3,
      timeout: 600,
      fallbacks: [{ "claude-opus-4-6": ["bedrock-claude-sonnet-4-5", "mock"] }],
    });
  });

  test("omits the database and empty fallbacks when they are not configured", () => {
    const bare = buildLiteLLMConfig(validConfig({ database: { enabled: false }, router: {} }));
    expect(bare.general_settings).toEqual({ master_key: "os.environ/LITELLM_MASTER_KEY" });
    expect(bare.router_settings).not.toHaveProperty("fallbacks");
  });

  test("is deterministic", () => {
    expect(renderLiteLLMConfig(config)).toBe(renderLiteLLMConfig(validConfig({
      models: [{ preset: "claude-opus-4-6" }, { preset: "bedrock-claude-sonnet-4-5" }, { preset: "mock", apiBase: "http://upstream.internal:8080" }],
      router: { routingStrategy: "least-busy", numRetries: 3, fallbacks: { "claude-opus-4-6": ["bedrock-claude-sonnet-4-5", "mock"] } },
    })));
  });
});
