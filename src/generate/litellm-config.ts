/**
 * Catalog -> LiteLLM's config.yaml. A pure function: same catalog, same bytes.
 * Secrets are `os.environ/NAME` references, resolved inside the container.
 */
import { stringify } from "yaml";
import type { Model, ModelDeployment } from "../catalog/schema";
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
    context_window_fallbacks?: Record<string, string[]>[];
    content_policy_fallbacks?: Record<string, string[]>[];
    allowed_fails?: number;
    cooldown_time?: number;
    optional_pre_call_checks?: string[];
    enable_pre_call_checks?: boolean;
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

/**
 * A deployment of a group is cooled down at its first counted failure unless router.allowedFails
 * says otherwise. LiteLLM counts one failure per client request, whatever its retries met, so
 * with more allowed a request can spend every retry on the failing deployment (measured: npm run
 * bench -- failover). Set on the group's deployments (model_info.allowed_fails) rather than the
 * router, so that a model of one deployment keeps LiteLLM's own rule.
 */
export const GROUP_ALLOWED_FAILS = 0;

/**
 * One `model_list` entry: a deployment of a model, under the model's id.
 * @param allowedFails the deployment's own allowed_fails, for a deployment of a group
 */
export function toDeployment(model: Model, deployment: ModelDeployment, allowedFails?: number): LiteLLMDeployment {
  const credentials = Object.fromEntries(
    Object.entries(credentialEnvOf(deployment)).map(([param, env]) => [param, envReference(env)]),
  );
  return {
    model_name: model.id,
    litellm_params: {
      model: deployment.model,
      ...credentials,
      ...(deployment.apiBase ? { api_base: deployment.apiBase } : {}),
      ...(deployment.mockResponse !== undefined ? { mock_response: deployment.mockResponse } : {}),
      ...(deployment.rpm !== undefined ? { rpm: deployment.rpm } : {}),
      ...(deployment.tpm !== undefined ? { tpm: deployment.tpm } : {}),
      ...(deployment.weight !== undefined ? { weight: deployment.weight } : {}),
      // Only on request: LiteLLM prices known models itself, and custom pricing costs throughput.
      ...(deployment.pricing === "catalog" && deployment.cost
        ? { input_cost_per_token: deployment.cost.input / PER_MILLION, output_cost_per_token: deployment.cost.output / PER_MILLION }
        : {}),
    },
    model_info: {
      // Every deployment of a model with several, so that cooldowns, spend rows and logs name the
      // same one across redeploys. A single deployment keeps LiteLLM's generated id so that existing
      // stacks keep their bytes (a fixed id costs nothing measurable: npm run bench -- routing).
      ...(deployment.id !== undefined ? { id: deployment.id } : {}),
      ...(allowedFails !== undefined ? { allowed_fails: allowedFails } : {}),
      mode: "chat",
      max_input_tokens: model.contextWindow,
      max_output_tokens: model.maxTokens,
      supports_vision: model.input.includes("image"),
      supports_reasoning: model.reasoning,
    },
  };
}

const asLists = (fallbacks: Readonly<Record<string, readonly string[]>>) => Object.entries(fallbacks).map(([primary, next]) => ({ [primary]: [...next] }));

export function buildLiteLLMConfig(config: StackConfig): LiteLLMConfig {
  const fallbacks = asLists(config.router.fallbacks);
  const contextWindowFallbacks = asLists(config.router.contextWindowFallbacks);
  const contentPolicyFallbacks = asLists(config.router.contentPolicyFallbacks);
  const hasLimit = (d: ModelDeployment) => d.rpm !== undefined || d.tpm !== undefined;
  const limited = config.models.some((m) => m.deployments.some(hasLimit));
  const limitedGroup = config.models.some((m) => m.deployments.length > 1 && m.deployments.some(hasLimit));
  return {
    model_list: config.models.flatMap((model) => {
      const groupDefault = model.deployments.length > 1 && config.router.allowedFails === undefined ? GROUP_ALLOWED_FAILS : undefined;
      return model.deployments.map((deployment) => toDeployment(model, deployment, groupDefault));
    }),
    router_settings: {
      routing_strategy: config.router.routingStrategy,
      num_retries: config.router.numRetries,
      timeout: config.router.timeoutSeconds,
      ...(fallbacks.length > 0 ? { fallbacks } : {}),
      ...(contextWindowFallbacks.length > 0 ? { context_window_fallbacks: contextWindowFallbacks } : {}),
      ...(contentPolicyFallbacks.length > 0 ? { content_policy_fallbacks: contentPolicyFallbacks } : {}),
      ...(config.router.allowedFails !== undefined ? { allowed_fails: config.router.allowedFails } : {}),
      ...(config.router.cooldownSeconds !== undefined ? { cooldown_time: config.router.cooldownSeconds } : {}),
      // Per-deployment rpm/tpm is a routing weight unless this check enforces it (across
      // processes through Redis).
      ...(limited ? { optional_pre_call_checks: ["enforce_model_rate_limits"] } : {}),
      // The router skips a deployment at its limit, or a model whose window a prompt exceeds, only
      // with these checks; they count a prompt's tokens on every request, so only where needed.
      ...(limitedGroup || contextWindowFallbacks.length > 0 ? { enable_pre_call_checks: true } : {}),
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
