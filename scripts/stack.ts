/**
 * The one command users run: validates the configuration, maps secrets to TF_VAR_*, then runs
 * `cdktf deploy` / `cdktf destroy` non-interactively. Exit codes are cdktf's.
 *
 *   npm run deploy               # deploy with stack.config.yaml (or $LITELLM_STACK_CONFIG)
 *   npm run destroy              # tear the stack down
 */
import { spawnSync } from "node:child_process";
import { ConfigError } from "../src/catalog/config-error";
import { loadStackConfig } from "../src/catalog/load-config";
import { terraformEnv } from "../src/catalog/terraform-env";

const OUTPUTS_FILE = "outputs.json";

function cdktf(args: string[], env: NodeJS.ProcessEnv): number {
  const result = spawnSync("npx", ["--no-install", "cdktf", ...args], { stdio: "inherit", env });
  return result.status ?? 1;
}

function main(argv: string[]): number {
  const [command] = argv;
  if (command !== "deploy" && command !== "destroy") {
    console.error("usage: stack.ts deploy|destroy");
    return 2;
  }
  let config;
  try {
    config = loadStackConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: invalid stack configuration, nothing was ${command}ed\n${error.message}`);
      return 1;
    }
    throw error;
  }
  // No telemetry prompts or calls in CI.
  const env = { ...terraformEnv(config, process.env), CHECKPOINT_DISABLE: "1", CI: process.env.CI ?? "" };
  if (command === "deploy") {
    return cdktf(["deploy", config.name, "--auto-approve", "--outputs-file", OUTPUTS_FILE], env);
  }
  return cdktf(["destroy", config.name, "--auto-approve"], env);
}

process.exit(main(process.argv.slice(2)));
