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
import { destroyRefusal } from "../src/catalog/data-protection";
import { loadStackConfig } from "../src/catalog/load-config";
import { terraformEnv } from "../src/catalog/terraform-env";
import { LABEL_PREFIX } from "../src/containers/service-specs";
import type { StackConfig } from "../src/catalog/validate";
import { reconcileKeys, tearDownKeys } from "../src/operations/key-reconciler";
import { AdminError } from "../src/operations/litellm-admin";
import { formatStacks, parseDockerPs, portClashProblems, type RunningStack } from "../src/operations/running-stacks";
import { connectToProxy } from "../src/operations/stack-outputs";

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

/** After a deploy: the declared virtual keys, created or brought into line. A failure fails the deploy. */
async function syncKeys(config: StackConfig): Promise<number> {
  if (config.keys.length === 0) return 0;
  try {
    const { access, admin } = connectToProxy(config);
    await reconcileKeys(admin, config, access.keys);
    return 0;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    console.error(`error: the stack is deployed but its virtual keys are not in line: ${error.message}`);
    return 1;
  }
}

/** Before a destroy: the stack's keys go first, while the proxy still answers. */
async function deleteKeys(config: StackConfig): Promise<void> {
  if (config.keys.length === 0) return;
  try {
    await tearDownKeys(connectToProxy(config).admin, config);
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    console.warn(`warning: virtual keys not deleted (${error.message}); they go with the database volume`);
  }
}

async function main([command, ...rest]: string[]): Promise<number> {
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
    if (command === "destroy") {
      const refusal = destroyRefusal(config, process.env);
      if (refusal.length > 0) throw new ConfigError("destroy", refusal);
      await deleteKeys(config);
      return cdktf(["destroy", config.name, "--auto-approve", ...rest], env);
    }
    const running = runningStacks(config.docker.host);
    if (running) {
      const clashes = portClashProblems(config, running);
      if (clashes.length > 0) throw new ConfigError("stack configuration", clashes);
    } else {
      console.warn("warning: could not list the stacks on the Docker host; port clashes are not checked");
    }
    const deployed = cdktf(["deploy", config.name, "--auto-approve", "--outputs-file", OUTPUTS_FILE, ...rest], env);
    return deployed === 0 ? await syncKeys(config) : deployed;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: nothing was changed\n${error.message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
