/**
 * One model id served by several deployments: the catalog's `deployments`, the router settings,
 * what validation refuses, and what config.yaml and the OpenClaw snippet get.
 */
import { answerableCatalog } from "../../src/catalog/answerable-models";
import { freeModelBudgetWarnings } from "../../src/catalog/budget-warnings";
import { buildLiteLLMConfig } from "../../src/generate/litellm-config";
import { buildOpenClawSnippet } from "../../src/generate/openclaw-snippet";
import { problemsOf, validConfig } from "./helpers";

const grouped = {
  preset: "claude-opus-4-6",
  deployments: [
    { model: "anthropic/claude-opus-4-6", apiKeyEnv: "ANTHROPIC_API_KEY", weight: 3 },
    { id: "bedrock", model: "bedrock/us.anthropic.claude-opus-4-6-v1:0", credentialsEnv: { aws_access_key_id: "AWS_ACCESS_KEY_ID" }, weight: 1, rpm: 200 },
  ],
};

const groupedConfig = (router: Record<string, unknown> = {}) =>
  validConfig({ models: [grouped, { preset: "gpt-4o" }, { preset: "mock" }], router, openclaw: {} });

describe("a model with deployments", () => {
  test("keeps what OpenClaw sees from its preset, and takes where requests go from its deployments", () => {
    const model = groupedConfig().models[0];
    expect(model).toMatchObject({ id: "claude-opus-4-6", contextWindow: 200000, maxTokens: 64000 });
    expect(model.deployments.map((d) => [d.id, d.model, d.weight])).toEqual([
      ["claude-opus-4-6.1", "anthropic/claude-opus-4-6", 3],
      ["claude-opus-4-6.bedrock", "bedrock/us.anthropic.claude-opus-4-6-v1:0", 1],
    ]);
  });

  test("is one model_list entry per deployment under the model's name, each with its stable id, weight and limit", () => {
    const list = buildLiteLLMConfig(groupedConfig()).model_list.filter((d) => d.model_name === "claude-opus-4-6");
    expect(list.map((d) => d.model_info.id)).toEqual(["claude-opus-4-6.1", "claude-opus-4-6.bedrock"]);
    expect(list[0].litellm_params).toEqual({ model: "anthropic/claude-opus-4-6", api_key: "os.environ/ANTHROPIC_API_KEY", weight: 3 });
    expect(list[1].litellm_params).toEqual({
      model: "bedrock/us.anthropic.claude-opus-4-6-v1:0",
      aws_access_key_id: "os.environ/AWS_ACCESS_KEY_ID",
      rpm: 200,
      weight: 1,
    });
    expect(list[1].model_info).toMatchObject({ max_input_tokens: 200000, max_output_tokens: 64000 });
  });

  test("a model of one deployment keeps LiteLLM's generated id", () => {
    const list = buildLiteLLMConfig(groupedConfig()).model_list.filter((d) => d.model_name !== "claude-opus-4-6");
    expect(list.map((d) => d.model_info.id)).toEqual([undefined, undefined]);
  });

  test("the OpenClaw snippet lists the model once, in the same form as a single deployment", () => {
    const grouped = buildOpenClawSnippet(groupedConfig());
    const single = buildOpenClawSnippet(validConfig({ models: [{ preset: "claude-opus-4-6" }, { preset: "gpt-4o" }, { preset: "mock" }], router: {}, openclaw: {} }));
    expect(grouped).toEqual(single);
  });

  test("router settings: retries for failover by default, limits skipped over with pre-call checks, cooldowns as written", () => {
    const settings = buildLiteLLMConfig(groupedConfig({ allowedFails: 1, cooldownSeconds: 30 })).router_settings;
    expect(settings).toMatchObject({ num_retries: 3, allowed_fails: 1, cooldown_time: 30, enable_pre_call_checks: true, optional_pre_call_checks: ["enforce_model_rate_limits"] });
    expect(buildLiteLLMConfig(groupedConfig({ numRetries: 1 })).router_settings.num_retries).toBe(1);
    // A group's default: its deployments are cooled down at their first counted failure; the
    // router's rule, which models of one deployment follow, is left alone.
    const defaults = buildLiteLLMConfig(groupedConfig());
    expect(defaults.router_settings.num_retries).toBe(3);
    expect(defaults.router_settings).not.toHaveProperty("allowed_fails");
    expect(defaults.model_list.map((d) => [d.model_name, d.model_info.allowed_fails])).toEqual([
      ["claude-opus-4-6", 0],
      ["claude-opus-4-6", 0],
      ["gpt-4o", undefined],
      ["mock", undefined],
    ]);
    // Written on the router, allowedFails applies to every deployment instead.
    const written = buildLiteLLMConfig(groupedConfig({ allowedFails: 2 }));
    expect(written.router_settings.allowed_fails).toBe(2);
    expect(written.model_list.every((d) => d.model_info.allowed_fails === undefined)).toBe(true);
    const single = buildLiteLLMConfig(validConfig()).router_settings;
    expect(single.num_retries).toBe(2);
    expect(Object.keys(single)).not.toEqual(expect.arrayContaining(["enable_pre_call_checks", "allowed_fails", "cooldown_time"]));
  });

  test("context-window and content-policy fallbacks are written as LiteLLM's lists of one-key maps", () => {
    const settings = buildLiteLLMConfig(
      groupedConfig({ contextWindowFallbacks: { "gpt-4o": ["claude-opus-4-6"] }, contentPolicyFallbacks: { "gpt-4o": ["mock"] } }),
    ).router_settings;
    expect(settings.context_window_fallbacks).toEqual([{ "gpt-4o": ["claude-opus-4-6"] }]);
    expect(settings.content_policy_fallbacks).toEqual([{ "gpt-4o": ["mock"] }]);
    // A mock answers prompts of any size: only the pre-call check sends a long prompt on.
    expect(settings.enable_pre_call_checks).toBe(true);
  });
});

describe("bad routing input is refused, naming the path", () => {
  const withModels = (models: unknown[], router: Record<string, unknown> = {}) => ({ name: "unit", models, router, openclaw: {} });

  test("a deployment without provider/model, a weight that is not positive, a duplicate id", () => {
    expect(
      problemsOf(
        withModels([{ preset: "mock", deployments: [{ model: "mock" }, { model: "openai/x", weight: 0 }, { model: "openai/y", id: "1" }] }]),
      ),
    ).toEqual([
      "models[0].deployments[0].model: must be 'provider/model', e.g. anthropic/claude-opus-4-6",
      "models[0].deployments[1].weight: must be a positive number",
    ]);
    expect(problemsOf(withModels([{ preset: "mock", deployments: [{ model: "openai/x" }, { model: "openai/y", id: "1" }] }]))).toEqual([
      'models[0].deployments[1].id: duplicate deployment id "mock.1" (also deployments[0])',
    ]);
  });

  test("upstream fields on the model beside deployments, and an empty list", () => {
    expect(problemsOf(withModels([{ preset: "mock", model: "openai/x", rpm: 5, deployments: [{ model: "openai/y" }] }]))).toEqual([
      "models[0].model: set it on each of the model's deployments: a model with deployments takes where its requests go from them",
      "models[0].rpm: set it on each of the model's deployments: a model with deployments takes where its requests go from them",
    ]);
    expect(problemsOf(withModels([{ preset: "mock", deployments: [] }]))).toEqual(["models[0].deployments: must list at least one deployment"]);
  });

  test("a context-window fallback to a model whose window is not larger, or to no model", () => {
    expect(
      problemsOf(withModels([{ preset: "gemini-2.5-pro" }, { preset: "mock" }], { contextWindowFallbacks: { "gemini-2.5-pro": ["mock", "nope"] } })),
    ).toEqual([
      'router.contextWindowFallbacks.gemini-2.5-pro[1]: "nope" is not a model id of the catalog (known: gemini-2.5-pro, mock)',
      "router.contextWindowFallbacks.gemini-2.5-pro[0]: mock's context window (128000) is not larger than gemini-2.5-pro's (1048576): a prompt too long for gemini-2.5-pro would not fit either; name a model with a larger contextWindow",
    ]);
  });

  test("catalog pricing without a cost on the deployment or the model", () => {
    expect(problemsOf(withModels([{ id: "x", name: "X", contextWindow: 1000, maxTokens: 10, deployments: [{ model: "openai/x", pricing: "catalog" }] }]))).toEqual([
      'models[0].deployments[0].pricing: "catalog" needs a cost (on the deployment or the model)',
    ]);
  });
});

describe("deployments and the deployer's environment", () => {
  test("a deployment whose credential is missing is left out; the model stays while one can answer", () => {
    const { config, warnings } = answerableCatalog(groupedConfig(), { ANTHROPIC_API_KEY: "sk-ant" });
    expect(config.models.map((m) => m.id)).toEqual(["claude-opus-4-6", "mock"]);
    expect(config.models[0].deployments.map((d) => d.id)).toEqual(["claude-opus-4-6.1"]);
    expect(warnings).toEqual([
      "warning: AWS_ACCESS_KEY_ID not set: deployment claude-opus-4-6.bedrock of claude-opus-4-6 is left out until it is set and the stack redeployed",
      "warning: OPENAI_API_KEY not set: gpt-4o is left out of the proxy and the OpenClaw snippet until it is set and the stack redeployed",
    ]);
  });

  test("a cost written on a deployment is what LiteLLM charges for it; a free deployment makes a budget warning", () => {
    const config = validConfig({
      models: [{ preset: "mock", deployments: [{ model: "openai/a", mockResponse: "a", cost: { input: 1, output: 2 } }, { model: "openai/b", mockResponse: "b" }] }],
      keys: [{ alias: "team", maxBudget: 5 }],
      router: {},
      openclaw: {},
    });
    const [charged, free] = buildLiteLLMConfig(config).model_list;
    expect(charged.litellm_params).toMatchObject({ input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 });
    expect(free.litellm_params).not.toHaveProperty("input_cost_per_token");
    expect(freeModelBudgetWarnings(config)).toHaveLength(1);
  });
});
