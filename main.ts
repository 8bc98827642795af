/**
 * The CDKTF app: stack.config.yaml (or $LITELLM_STACK_CONFIG) -> validated catalog -> LiteLLMStack.
 * Invalid configuration stops here, with every problem listed, before anything is synthesized.
 * Whoever runs it (`npm run deploy`, `cdktf deploy`, `cdktf synth`), it also makes the state folder
 * owner-only and hands the secrets of this shell to Terraform (src/terraform/secret-inputs-file.ts).
 */
import { App } from "cdktf";
import { ConfigError } from "./src/catalog/config-error";
import { freeModelBudgetWarnings } from "./src/catalog/budget-warnings";
import { answerableCatalog } from "./src/catalog/answerable-models";
import { exposureFindings } from "./src/catalog/exposure";
import { dataDeletionAllowed } from "./src/catalog/data-protection";
import { configPath, loadStackConfig } from "./src/catalog/load-config";
import { projectRoot } from "./src/catalog/project-root";
import { secretEnvNames } from "./src/catalog/terraform-env";
import { secretInputProblems, secretInputsFile, secretInputValues, writeSecretInputs } from "./src/terraform/secret-inputs-file";
import { localStatePath } from "./src/terraform/state-backend";
import { restoredKeyInputs } from "./src/terraform/restored-keys";
import { secureStateFiles } from "./src/lifecycle/state-files";
import { LiteLLMStack } from "./stacks/litellm-stack";

function main(env: NodeJS.ProcessEnv): number {
  try {
    const answerable = answerableCatalog(loadStackConfig(undefined, undefined, env), env);
    const { config } = answerable;
    const exposure = exposureFindings(config, env);
    const problems = [...exposure.problems, ...secretInputProblems(env)];
    if (problems.length > 0) throw new ConfigError("stack configuration", problems);
    for (const warning of [...exposure.warnings, ...answerable.warnings, ...freeModelBudgetWarnings(config)]) console.warn(warning);
    const root = projectRoot();
    secureStateFiles(config, root);
    // Beside a local state only, as private as it: a remote state's checkout (a CI job's workspace)
    // gets no plaintext copy of what the backend keeps encrypted; there, set TF_VAR_<NAME>.
    const handOver = localStatePath(config, root)
      ? { ...restoredKeyInputs(root, config.name, config.keys.map((key) => key.alias)), ...secretInputValues(secretEnvNames(config), env) }
      : {};
    writeSecretInputs(secretInputsFile(root, config.name), handOver);
    const app = new App();
    new LiteLLMStack(app, config.name, { config, allowDataDeletion: dataDeletionAllowed(env), projectDir: root, configFile: configPath(env) });
    app.synth();
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: invalid stack configuration\n${error.message}`);
    return 1;
  }
}

process.exitCode = main(process.env);
