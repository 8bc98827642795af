/**
 * The CDKTF app: stack.config.yaml (or $LITELLM_STACK_CONFIG) -> validated catalog -> LiteLLMStack.
 * Invalid configuration stops here, with every problem listed, before anything is synthesized.
 */
import { App } from "cdktf";
import { ConfigError } from "./src/catalog/config-error";
import { missingCredentialWarnings } from "./src/catalog/credential-warnings";
import { loadStackConfig } from "./src/catalog/load-config";
import { LiteLLMStack } from "./stacks/litellm-stack";

function main(): void {
  let config;
  try {
    config = loadStackConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: invalid stack configuration\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  for (const warning of missingCredentialWarnings(config, process.env)) console.warn(warning);
  const app = new App();
  new LiteLLMStack(app, config.name, { config });
  app.synth();
}

main();
