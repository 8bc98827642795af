/**
 * The CDKTF app: stack.config.yaml (or $LITELLM_STACK_CONFIG) -> validated catalog -> LiteLLMStack.
 * Invalid configuration stops here, with every problem listed, before anything is synthesized.
 */
import { App } from "cdktf";
import { ConfigError } from "./src/catalog/config-error";
import { missingCredentialWarnings } from "./src/catalog/credential-warnings";
import { exposureFindings } from "./src/catalog/exposure";
import { dataDeletionAllowed } from "./src/catalog/data-protection";
import { loadStackConfig } from "./src/catalog/load-config";
import { LiteLLMStack } from "./stacks/litellm-stack";

function main(env: NodeJS.ProcessEnv): number {
  try {
    const config = loadStackConfig(undefined, undefined, env);
    const exposure = exposureFindings(config, env);
    if (exposure.problems.length > 0) throw new ConfigError("stack configuration", exposure.problems);
    for (const warning of [...exposure.warnings, ...missingCredentialWarnings(config, env)]) console.warn(warning);
    const app = new App();
    new LiteLLMStack(app, config.name, { config, allowDataDeletion: dataDeletionAllowed(env) });
    app.synth();
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: invalid stack configuration\n${error.message}`);
    return 1;
  }
}

process.exitCode = main(process.env);
