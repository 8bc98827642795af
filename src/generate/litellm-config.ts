/**
 * Catalog -> LiteLLM's config.yaml. A pure function: same catalog, same bytes.
 * Secrets are `os.environ/NAME` references, resolved inside the container.
 */
import { stringify } from "yaml";
import type { Model } from "../catalog/schema";
import type { StackConfig } from "../catalog/validate";
import { credentialEnvOf, DATABASE_URL_ENV, envReference, MASTER_KEY_ENV, REDIS_CONTAINER_ENV } from "../catalog/env-names";

/** The parts of config.yaml this stack writes, typed after LiteLLM's own ConfigYAML. */
export interface LiteLLMConfig {
  model_list: LiteLLMDeployment[];
  router_settings: {
    routing_strategy: string;
    num_retries: number;
    timeout: number;
    fallbacks?: Record<string, string[]>[];
    optional_pre_call_checks?: string[];
    redis_host?: string;
    redis_port?: string;
    redis_password?: string;
  };
  litellm_settings: Record<string, unknown>;
  general_settings: Record<string, unknown>;
}

export interface LiteLLMDeployment {
  model_name: string;
  litellm_params: Record<string, string | number>;
  model_info: Record<string, string | number | boolean>;
}

const PER_MILLION = 1_000_000;

export function toDeployment(model: Model): LiteLLMDeployment {
  const credentials = Object.fromEntries(
    Object.entries(credentialEnvOf(model)).map(([param, env]) => [param, envReference(env)]),
  );
  return {
    model_name: model.id,
    litellm_params: {
      model: model.model,
      ...credentials,
      ...(model.apiBase ? { api_base: model.apiBase } : {}),
      ...(model.mockResponse !== undefined ? { mock_response: model.mockResponse } : {}),
      ...(model.rpm !== undefined ? { rpm: model.rpm } : {}),
      // Only on request: LiteLLM prices known models itself, and custom pricing costs throughput.
      ...(model.pricing === "catalog" && model.cost
        ? { input_cost_per_token: model.cost.input / PER_MILLION, output_cost_per_token: model.cost.output / PER_MILLION }
        : {}),
    },
    // No model_info.id: a fixed deployment id costs ~10% proxy throughput (npm run bench) and
    // LiteLLM generates one anyway.
    model_info: {
      mode: "chat",
      max_input_tokens: model.contextWindow,
      max_output_tokens: model.maxTokens,
      supports_vision: model.input.includes("image"),
      supports_reasoning: model.reasoning,
    },
  };
}

export function buildLiteLLMConfig(config: StackConfig): LiteLLMConfig {
  const fallbacks = Object.entries(config.router.fallbacks).map(([primary, next]) => ({ [primary]: [...next] }));
  return {
    model_list: config.models.map(toDeployment),
    router_settings: {
      routing_strategy: config.router.routingStrategy,
      num_retries: config.router.numRetries,
      timeout: config.router.timeoutSeconds,
      ...(fallbacks.length > 0 ? { fallbacks } : {}),
      // Per-deployment rpm is a routing weight unless this check enforces it.
      ...(config.models.some((m) => m.rpm !== undefined) ? { optional_pre_call_checks: ["enforce_model_rate_limits"] } : {}),
      // Shared state for every process: counters, cooldowns, caches. References, never values.
      ...(config.redis.enabled
        ? {
            redis_host: envReference(REDIS_CONTAINER_ENV.host),
            redis_port: envReference(REDIS_CONTAINER_ENV.port),
            redis_password: envReference(REDIS_CONTAINER_ENV.password),
          }
        : {}),
    },
    litellm_settings: {
      // Providers differ in the parameters they take; drop unsupported ones instead of failing the call.
      drop_params: true,
      // OpenClaw reads the cost of a streamed answer from its final usage chunk.
      include_cost_in_streaming_usage: true,
    },
    general_settings: {
      master_key: envReference(MASTER_KEY_ENV),
      ...(config.database.enabled
        ? {
            database_url: envReference(DATABASE_URL_ENV),
            store_prompts_in_spend_logs: config.logging.storeRequestBodies,
            ...(config.logging.retention ? { maximum_spend_logs_retention_period: config.logging.retention } : {}),
          }
        : {}),
    },
  };
}

const HEADER = "# Generated from the stack's model catalog by src/generate/litellm-config.ts. Do not edit.\n";

export function renderLiteLLMConfig(config: StackConfig): string {
  return HEADER + stringify(buildLiteLLMConfig(config), { lineWidth: 0 });
}
