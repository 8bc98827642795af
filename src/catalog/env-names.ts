/**
 * Names of environment variables: the stack's own secrets, the credentials the catalog names, and
 * the names a catalog may not use. The catalog validates against them, the generators and the
 * containers render them, so they live here, below both.
 */
import type { Model, ModelDeployment } from "./schema";

export const MASTER_KEY_ENV = "LITELLM_MASTER_KEY";
export const SALT_KEY_ENV = "LITELLM_SALT_KEY";
export const DATABASE_URL_ENV = "DATABASE_URL";
export const DATABASE_PASSWORD_ENV = "LITELLM_DB_PASSWORD";
/** The deployer's Redis password variable; unset, one is generated. */
export const REDIS_PASSWORD_ENV = "LITELLM_REDIS_PASSWORD";
/** What LiteLLM's config.yaml reads Redis from (os.environ/...), inside the container. */
export const REDIS_CONTAINER_ENV = { host: "REDIS_HOST", port: "REDIS_PORT", password: "REDIS_PASSWORD" } as const;
/** The declared keys' values, as JSON, from the Terraform graph's keys step to its command (src/proxy-admin/key-step.ts). */
export const STEP_KEY_VALUES_ENV = "LITELLM_STACK_VIRTUAL_KEYS";
/** alias -> sha256 of the value, as JSON: what the keys step held, for `keys.js retire` when it goes. */
export const STEP_KEY_HASHES_ENV = "LITELLM_STACK_KEY_HASHES";
/** The dashboard's login password; unset, LiteLLM takes the master key. */
export const UI_PASSWORD_ENV = "LITELLM_UI_PASSWORD";

/** The stack's own secrets: a credential field naming one would hand it to an upstream provider. */
export const STACK_SECRET_ENV_NAMES: readonly string[] = [
  MASTER_KEY_ENV,
  SALT_KEY_ENV,
  DATABASE_URL_ENV,
  DATABASE_PASSWORD_ENV,
  UI_PASSWORD_ENV,
  REDIS_PASSWORD_ENV,
  REDIS_CONTAINER_ENV.password,
];

/**
 * Names a credential may not come from: the stack's secrets and settings, the proxy's own
 * variables, and the deployer's process (the deploy passes a named variable into the container,
 * so `apiKeyEnv: HOME` would publish the deployer's home folder to a provider).
 */
const RESERVED_NAMES = new Set([
  ...STACK_SECRET_ENV_NAMES,
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "TERM", "LANG", "TZ", "TMPDIR", "HOSTNAME",
  "EDITOR", "MAIL", "DISPLAY", "PGPASSWORD", "PGUSER", "PGPASSFILE", "EXPERIMENT", "HOST", "PORT", "NUM_WORKERS",
  "STORE_MODEL_IN_DB", "DISABLE_SCHEMA_UPDATE", "CI",
]);
const RESERVED_PREFIXES = ["LITELLM_", "TF_", "DOCKER_", "CDKTF_", "NPM_", "NODE_", "LC_", "SSH_", "GIT_", "XDG_", "POSTGRES_", "DATABASE_", "REDIS_", "TERRAFORM_"];

/** Why a credential may not be read from this variable, or undefined when it may. */
export function reservedEnvNameReason(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (STACK_SECRET_ENV_NAMES.includes(name)) return `${name} is one of the stack's own secrets`;
  if (RESERVED_NAMES.has(upper)) return `${name} is a variable of the deployer's shell or of the proxy itself`;
  const prefix = RESERVED_PREFIXES.find((p) => upper.startsWith(p));
  if (prefix) return `${prefix}* variables belong to the stack, its tools or the deployer's shell`;
  return undefined;
}

/** LiteLLM resolves any parameter string starting with this inside the container. */
export const ENV_REFERENCE_PREFIX = "os.environ/";

/** `os.environ/NAME`: LiteLLM resolves it inside the container at start-up. */
export function envReference(name: string): string {
  return `${ENV_REFERENCE_PREFIX}${name}`;
}

/** LiteLLM parameter -> environment variable, for every credential a deployment needs. */
export function credentialEnvOf(deployment: Pick<ModelDeployment, "apiKeyEnv" | "credentialsEnv">): Record<string, string> {
  return {
    ...(deployment.apiKeyEnv ? { api_key: deployment.apiKeyEnv } : {}),
    ...(deployment.credentialsEnv ?? {}),
  };
}

/** Every upstream credential variable the catalog names, once each, in a stable order. */
export function upstreamCredentialEnvNames(models: readonly Model[]): string[] {
  return [...new Set(models.flatMap((m) => m.deployments.flatMap((d) => Object.values(credentialEnvOf(d)))))].sort();
}
