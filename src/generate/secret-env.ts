/**
 * Names of the environment variables the LiteLLM container reads its secrets from. The generated
 * config.yaml refers to them as `os.environ/NAME`; their values never appear in a generated file.
 */
import type { Model } from "../catalog/schema";

export const MASTER_KEY_ENV = "LITELLM_MASTER_KEY";
export const SALT_KEY_ENV = "LITELLM_SALT_KEY";
export const DATABASE_URL_ENV = "DATABASE_URL";

/** `os.environ/NAME`: LiteLLM resolves it inside the container at start-up. */
export function envReference(name: string): string {
  return `os.environ/${name}`;
}

/** LiteLLM parameter -> environment variable, for every credential a model needs. */
export function credentialEnvOf(model: Model): Record<string, string> {
  return {
    ...(model.apiKeyEnv ? { api_key: model.apiKeyEnv } : {}),
    ...(model.credentialsEnv ?? {}),
  };
}

/** Every upstream credential variable the catalog names, once each, in a stable order. */
export function upstreamCredentialEnvNames(models: readonly Model[]): string[] {
  return [...new Set(models.flatMap((m) => Object.values(credentialEnvOf(m))))].sort();
}
