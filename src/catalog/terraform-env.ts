import { DATABASE_PASSWORD_ENV, MASTER_KEY_ENV, REDIS_PASSWORD_ENV, SALT_KEY_ENV, UI_PASSWORD_ENV, upstreamCredentialEnvNames } from "./env-names";
import type { StackConfig } from "./validate";

/** Every secret the stack reads from the deployer's environment. */
export function secretEnvNames(config: StackConfig): string[] {
  const database = config.database.enabled ? [SALT_KEY_ENV, DATABASE_PASSWORD_ENV] : [];
  const dashboard = config.dashboard.enabled ? [UI_PASSWORD_ENV] : [];
  const redis = config.redis.enabled ? [REDIS_PASSWORD_ENV] : [];
  return [MASTER_KEY_ENV, ...database, ...dashboard, ...redis, ...upstreamCredentialEnvNames(config.models)];
}

/**
 * The environment for Terraform: each secret `NAME` set in the deployer's shell is passed on as
 * `TF_VAR_NAME` (an explicit TF_VAR_NAME wins). For runs no script starts, the synth hands them
 * over by a private file instead (src/terraform/secret-inputs-file.ts).
 */
export function terraformEnv(config: StackConfig, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const mapped: NodeJS.ProcessEnv = {};
  for (const name of secretEnvNames(config)) {
    if (env[name] && !env[`TF_VAR_${name}`]) mapped[`TF_VAR_${name}`] = env[name];
  }
  return { ...env, ...mapped };
}
