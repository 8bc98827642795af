import { credentialEnvOf } from "./env-names";
import type { StackConfig } from "./validate";

/** One warning per credential variable the catalog names but the deployer's environment lacks. */
export function missingCredentialWarnings(config: StackConfig, env: NodeJS.ProcessEnv): string[] {
  const usersOf = new Map<string, string[]>();
  for (const model of config.models) {
    for (const name of Object.values(credentialEnvOf(model))) {
      if (!env[name]) usersOf.set(name, [...(usersOf.get(name) ?? []), model.id]);
    }
  }
  return [...usersOf].map(
    ([name, ids]) => `warning: ${name} is not set: ${ids.join(", ")} will fail until it is set and the stack redeployed`,
  );
}
