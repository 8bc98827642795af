/**
 * The commands users run. Each validates the configuration first; deploy and destroy then run
 * cdktf non-interactively with secrets passed as TF_VAR_* and exit with cdktf's code.
 *
 *   npm run deploy [-- <cdktf flags>]   deploy stack.config.yaml (or $LITELLM_STACK_CONFIG, $EXPERIMENT)
 *   npm run destroy                     tear it down
 *   npm run stacks                      list the LiteLLM stacks on the Docker host, with their URLs
 */
import { spawnSync } from "node:child_process";
import { ConfigError } from "../src/catalog/config-error";
import { loadStackConfig } from "../src/catalog/load-config";
import { terraformEnv } from "../src/catalog/terraform-env";
import { LABEL_PREFIX } from "../src/containers/service-specs";
import { formatStacks, parseDockerPs, portClashProblems, type RunningStack } from "../src/operations/running-stacks";

const OUTPUTS_FILE = "outputs.json";

function cdktf(args: string[], env: NodeJS.ProcessEnv): number {
  return spawnSync("npx", ["--no-install", "cdktf", ...args], { stdio: "inherit", env }).status ?? 1;
}

/** The stacks on the Docker host the CLI reaches (DOCKER_HOST honoured), or undefined if none answers. */
function runningStacks(dockerHost?: string): RunningStack[] | undefined {
  const result = spawnSync(
    "docker",
    ["ps", "--all", "--filter", `label=${LABEL_PREFIX}.component=litellm`, "--format", "{{json .}}"],
    { encoding: "utf8", timeout: 30_000, env: dockerHost ? { ...process.env, DOCKER_HOST: dockerHost } : process.env },
  );
  return result.status === 0 ? parseDockerPs(result.stdout) : undefined;
}

function main([command, ...rest]: string[]): number {
  if (command === "stacks") {
    const stacks = runningStacks();
    if (!stacks) {
      console.error("error: no Docker Engine answers (docker ps failed): start it or set DOCKER_HOST");
      return 1;
    }
    console.log(rest.includes("--json") ? JSON.stringify(stacks, null, 2) : formatStacks(stacks));
    return 0;
  }
  if (command !== "deploy" && command !== "destroy") {
    console.error("usage: stack.js deploy|destroy|stacks [--json]");
    return 2;
  }
  try {
    const config = loadStackConfig();
    const env = { ...terraformEnv(config, process.env), CHECKPOINT_DISABLE: "1" };
    if (command === "destroy") return cdktf(["destroy", config.name, "--auto-approve", ...rest], env);
    const running = runningStacks(config.docker.host);
    if (running) {
      const clashes = portClashProblems(config, running);
      if (clashes.length > 0) throw new ConfigError("stack configuration", clashes);
    } else {
      console.warn("warning: could not list the stacks on the Docker host; port clashes are not checked");
    }
    return cdktf(["deploy", config.name, "--auto-approve", "--outputs-file", OUTPUTS_FILE, ...rest], env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: invalid stack configuration, nothing was changed\n${error.message}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
