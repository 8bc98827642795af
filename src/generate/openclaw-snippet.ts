/**
 * Catalog -> the OpenClaw config snippet that points OpenClaw at the proxy (JSON5, for
 * `openclaw config patch --file`). A pure function of the same catalog as config.yaml, so the
 * models OpenClaw offers are exactly the models LiteLLM serves.
 */
import JSON5 from "json5";
import type { Model } from "../catalog/schema";
import type { StackConfig } from "../catalog/validate";

export const OPENCLAW_PROVIDER_ID = "litellm";
/** OpenClaw expands `${NAME}` from its environment; the key itself is never in the snippet. */
export const OPENCLAW_API_KEY_REF = "${LITELLM_API_KEY}";

export interface OpenClawModel {
  id: string;
  name: string;
  reasoning: boolean;
  input: string[];
  contextWindow: number;
  maxTokens: number;
  cost?: { input: number; output: number; cacheRead: number; cacheWrite: number };
}

export interface OpenClawSnippet {
  models: {
    providers: {
      [OPENCLAW_PROVIDER_ID]: {
        baseUrl: string;
        apiKey: string;
        api: "openai-completions";
        models: OpenClawModel[];
      };
    };
  };
  agents: { defaults: { model: { primary: string; fallbacks?: string[] } } };
}

export function toOpenClawModel(model: Model): OpenClawModel {
  return {
    id: model.id,
    name: model.name,
    reasoning: model.reasoning,
    input: [...model.input],
    contextWindow: model.contextWindow,
    // Always set: without it OpenClaw sends max_completion_tokens 8192 whatever the model.
    maxTokens: model.maxTokens,
    ...(model.cost
      ? {
          cost: {
            input: model.cost.input,
            output: model.cost.output,
            cacheRead: model.cost.cacheRead ?? 0,
            cacheWrite: model.cost.cacheWrite ?? 0,
          },
        }
      : {}),
  };
}

export function openClawModelRef(id: string): string {
  return `${OPENCLAW_PROVIDER_ID}/${id}`;
}

export function buildOpenClawSnippet(config: StackConfig): OpenClawSnippet {
  const { primary, fallbacks, baseUrl } = config.openclaw;
  return {
    models: {
      providers: {
        [OPENCLAW_PROVIDER_ID]: {
          baseUrl,
          apiKey: OPENCLAW_API_KEY_REF,
          // openai-responses through proxies is a known source of 400s.
          api: "openai-completions",
          models: config.models.map(toOpenClawModel),
        },
      },
    },
    agents: {
      defaults: {
        model: {
          primary: openClawModelRef(primary),
          ...(fallbacks.length > 0 ? { fallbacks: fallbacks.map(openClawModelRef) } : {}),
        },
      },
    },
  };
}

export function renderOpenClawSnippet(config: StackConfig): string {
  return `// Generated from the stack's model catalog. Apply with:\n//   openclaw config patch --file openclaw.json5\n${JSON5.stringify(buildOpenClawSnippet(config), null, 2)}\n`;
}
