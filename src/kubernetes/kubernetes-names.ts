/**
 * Names and labels of a stack's Kubernetes objects. The stack owns its namespace, so the objects in
 * it take the short names the other profiles use as network aliases (`postgres`, `redis`): the
 * generated DATABASE_URL and REDIS_HOST resolve the same everywhere.
 */
import { createHash } from "node:crypto";
import type { StackConfig } from "../catalog/validate";
import { LITELLM_ALIAS, POSTGRES_ALIAS, REDIS_ALIAS, type Component } from "../specs/service-specs";

/** Label keys (Kubernetes keys take a DNS prefix and one "/"). */
export const STACK_LABEL = "litellm-stack.io/stack";
export const COMPONENT_LABEL = "litellm-stack.io/component";
export const EXPERIMENT_LABEL = "litellm-stack.io/experiment";
/** On LiteLLM's Deployment: the base URL OpenClaw is given, read back by `npm run stacks`. */
export const URL_ANNOTATION = "litellm-stack.io/url";

export const KUBERNETES_NAMES = {
  litellm: LITELLM_ALIAS,
  postgres: POSTGRES_ALIAS,
  redis: REDIS_ALIAS,
  /** Every secret environment value of the stack, one key per variable. */
  secret: "litellm-env",
  /** The generated config.yaml. */
  config: "litellm-config",
  volume: "postgres-data",
} as const;

/**
 * One migrations Job per LiteLLM image: a new image runs its migrations once, a catalog change none
 * (the name, and so the Job, stays). Kubernetes never changes a Job's pod template in place.
 */
export function migrationJobName(liteLLMImage: string): string {
  return `migrate-${createHash("sha256").update(liteLLMImage).digest("hex").slice(0, 10)}`;
}

/** Labels on every object of the stack: who owns it, and which part it is. */
export function kubernetesLabels(config: Pick<StackConfig, "name" | "experiment">, component: Component | "namespace"): Record<string, string> {
  return {
    [STACK_LABEL]: config.name,
    [COMPONENT_LABEL]: component,
    "app.kubernetes.io/managed-by": "litellm-stack",
    ...(config.experiment ? { [EXPERIMENT_LABEL]: config.experiment } : {}),
  };
}

/** What selects a component's pods: fixed for the object's life (a Deployment's selector cannot change). */
export function podSelector(config: Pick<StackConfig, "name">, component: Component): Record<string, string> {
  return { [STACK_LABEL]: config.name, [COMPONENT_LABEL]: component };
}
