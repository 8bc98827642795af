/**
 * Catalog key declarations -> the bodies LiteLLM's /key/generate and /key/update take. Pure.
 * The key value itself comes from Terraform (a random_password per key), so it is known to the
 * stack's sensitive outputs and never generated where only LiteLLM would hold it.
 */
import type { VirtualKey } from "../catalog/schema";

/**
 * Written into every key the stack creates, for people reading LiteLLM's UI. It proves nothing:
 * anyone can copy metadata. Ownership is the key's hash matching a value in the stack's state.
 */
export const MANAGED_BY = "litellm-openclaw-stack";

/**
 * The alias LiteLLM sees: LiteLLM requires aliases unique across the whole proxy, so each is
 * scoped to its stack (and experiment). Users keep naming the key by its own alias.
 */
export function proxyKeyAlias(stackName: string, alias: string): string {
  return `${stackName}/${alias}`;
}

/** The settings the stack owns on a key; anything else on it is left as LiteLLM has it. */
export interface KeySettings {
  key_alias: string;
  max_budget: number;
  budget_duration: string | null;
  /** Empty: every model. */
  models: string[];
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  metadata: { managed_by: string; stack: string; alias: string };
}

export function keySettings(stackName: string, key: VirtualKey): KeySettings {
  return {
    key_alias: proxyKeyAlias(stackName, key.alias),
    max_budget: key.maxBudget,
    budget_duration: key.budgetDuration ?? null,
    models: key.models ? [...key.models].sort() : [],
    rpm_limit: key.rpmLimit ?? null,
    tpm_limit: key.tpmLimit ?? null,
    max_parallel_requests: key.maxParallelRequests ?? null,
    metadata: { managed_by: MANAGED_BY, stack: stackName, alias: key.alias },
  };
}

/** POST /key/generate: the settings, the value chosen by Terraform, and the expiry. */
export function generateKeyBody(settings: KeySettings, value: string, expiresAfter?: string): Record<string, unknown> {
  return { ...settings, key: value, ...(expiresAfter ? { duration: expiresAfter } : {}) };
}
