/**
 * The commands users run. Each validates the configuration first and checks the Docker Engine;
 * deploy and destroy then synthesize and run Terraform step by step (src/lifecycle/stack-lifecycle.ts),
 * with secrets passed as TF_VAR_* and every file that can hold them owner-only.
 *
 *   npm run deploy [-- -migrate-state|-reconfigure]   deploy stack.config.yaml (or $LITELLM_STACK_CONFIG, $EXPERIMENT)
 *                  [-- --verbose]                   Terraform's whole output (else a summary; the whole in a log file)
 *   npm run destroy                                    tear it down
 *   npm run drift                                      the deployed stack against its configuration, changing nothing
 *   npm run stacks [-- --json]                         list the LiteLLM stacks on the Docker host (or the configuration's cluster), with their URLs
 *
 * Exit codes: 0 done (or nothing to do), 1 failed or refused (the last line says why and what to
 * do; nothing was changed unless it says so), 2 wrong usage; drift, as `terraform plan
 * -detailed-exitcode`: 0 none, 2 drift (the last line names what differs), 1 failed.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ConfigError } from "../src/catalog/config-error";
import { dataDeletionAllowed, destroyRefusal } from "../src/catalog/data-protection";
import { loadStackConfig } from "../src/catalog/load-config";
import { projectRoot } from "../src/catalog/project-root";
import { terraformEnv } from "../src/catalog/terraform-env";
import { ENGINE_API_VERSION_ENV, type StackConfig } from "../src/catalog/validate";
import { LABEL_PREFIX, resourceNames } from "../src/specs/service-specs";
import { dashboardUrl } from "../src/generate/dashboard-url";
import { docker, type DockerTarget, dockerEnv, engineInfo, noEngineMessage } from "../src/lifecycle/docker-engine";
import { reconcileStackKeys, retiredKeys, tearDownKeysOrWarn } from "../src/proxy-admin/key-reconciler";
import { readRetiredKeys } from "../src/proxy-admin/retired-keys";
import { AdminError } from "../src/proxy-admin/litellm-admin";
import { formatStacks, parseDockerPs, portClashProblems, type RunningStack } from "../src/lifecycle/running-stacks";
import { checkDrift, DRIFT_EXIT_CODE } from "../src/lifecycle/drift-check";
import { deployStack, destroyStack, type LifecycleOptions, type Outcome } from "../src/lifecycle/stack-lifecycle";
import { PhaseTimer } from "../src/lifecycle/phase-timer";
import { INTERRUPTED_EXIT_CODE, InterruptRelay } from "../src/lifecycle/interrupts";
import { localStateResourceCount, stackOutDir } from "../src/lifecycle/state-files";
import { parseSwarmInfo, SWARM_INFO_FORMAT, swarmDeployProblem } from "../src/lifecycle/swarm-check";
import { connectToProxy, proxyAccess } from "../src/lifecycle/stack-outputs";
import { guardImageChanges } from "../src/lifecycle/pre-change-backup";
import { kubernetesDeployProblem } from "../src/lifecycle/kubernetes-check";
import { kubeConnection, KubeError } from "../src/lifecycle/kubernetes-api";
import { kubernetesStacks } from "../src/lifecycle/kubernetes-stacks";
import { keptBackupsLine } from "../src/lifecycle/database-backup";

/** Terraform writes state, backups and plans with the process umask: owner-only from here on. */
process.umask(0o077);

// -force-copy answers init's "copy the state to the new backend?" with yes: a run without a terminal cannot.
const INIT_FLAGS = ["-migrate-state", "-force-copy", "-reconfigure", "-upgrade"];
/** Terraform's whole output as it comes (also LITELLM_STACK_VERBOSE=1); else a summary, the whole in a log file. */
const VERBOSE_FLAG = "--verbose";

/** Each step's time, printed on stderr with LITELLM_STACK_PHASES=1 (npm run bench -- deploy). */
const phases = new PhaseTimer();

/** Terraform's whole output of the last deploy, destroy or drift check, beside the stack's synthesized files. */
const TERRAFORM_LOG = "terraform.log";

/** Ctrl-C and SIGTERM: relayed to Terraform, which stops gracefully; with none running, the command stops at once. */
const interrupts = new InterruptRelay((signal) => {
  console.error(`error: interrupted by ${signal} between Terraform's steps: what the steps before had done stands (a saved plan was deleted); run the command again`);
  process.exit(INTERRUPTED_EXIT_CODE);
});

/** The stacks on the Docker host the CLI reaches (DOCKER_HOST honoured). */
function runningStacks(target: DockerTarget = {}): RunningStack[] | undefined {
  const result = spawnSync(
    "docker",
    // Label filters are ANDed: ask for every component, parseDockerPs keeps LiteLLM and the load balancer (the swarm profile's port).
    ["ps", "--all", "--filter", `label=${LABEL_PREFIX}.component`, "--format", "{{json .}}"],
    { encoding: "utf8", timeout: 30_000, env: dockerEnv(target) },
  );
  return result.status === 0 ? parseDockerPs(result.stdout) : undefined;
}

/**
 * The engine `stacks` lists: the configuration's docker.host and certPath when it loads (the engine
 * the deploy uses), else DOCKER_HOST as the docker CLI reads it.
 */
function configuredEngine(): StackConfig["docker"] | Pick<StackConfig, "kubernetes"> {
  try {
    const config = loadStackConfig();
    return config.kubernetes ? { kubernetes: config.kubernetes } : config.docker;
  } catch (error) {
    if (error instanceof ConfigError) return {};
    throw error;
  }
}

/** `npm run stacks` for a configuration on the kubernetes profile: the stacks of its cluster. */
async function listClusterStacks(settings: NonNullable<StackConfig["kubernetes"]>, json: boolean): Promise<number> {
  try {
    const stacks = await kubernetesStacks(kubeConnection(settings));
    console.log(json ? JSON.stringify(stacks, null, 2) : formatStacks(stacks).replace("on this Docker host", "on this cluster"));
    return 0;
  } catch (error) {
    if (!(error instanceof KubeError)) throw error;
    return finish({ code: 1, summary: error.message });
  }
}

/** The app, as cdktf would run it: compiled JavaScript, or main.ts when this script runs from source. */
function synth(root: string, env: NodeJS.ProcessEnv): () => Promise<number> {
  const fromSource = __filename.endsWith(".ts");
  const [command, args] = fromSource
    ? [join(root, "node_modules", ".bin", "tsx"), [join(root, "main.ts")]]
    : [process.execPath, [join(root, "dist", "main.js")]];
  return () =>
    new Promise((resolve) => {
      const child = spawn(command, args, { cwd: root, env, stdio: "inherit" });
      child.on("error", () => resolve(1));
      child.on("close", (code) => resolve(code ?? 1));
    });
}

/**
 * After a deploy: the declared virtual keys created or brought into line, and the keys the deploy
 * retired (their values left the state) revoked. A failure fails the deploy, and a rerun finishes it.
 */
async function syncKeys(config: StackConfig, root: string, priorOutputs: Readonly<Record<string, unknown>> = {}): Promise<Outcome | undefined> {
  const before = (priorOutputs.virtual_keys ?? {}) as Record<string, string>;
  if (config.keys.length === 0 && Object.keys(before).length === 0 && readRetiredKeys(root, config.name).length === 0) return undefined;
  try {
    const { access, admin } = await connectToProxy(config);
    await reconcileStackKeys(admin, config, access.keys, retiredKeys(before, access.keys), root);
    return undefined;
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    return { code: 1, summary: `the stack is deployed but its virtual keys are not in line: ${error.message}. Run \`npm run deploy\` again once this is fixed` };
  }
}

/** A path under the checkout, as the user would type it from there. */
const shown = (root: string, path: string) => relative(root, path) || ".";

/**
 * What a user needs after a deploy, before its one-line outcome: where the proxy and its dashboard
 * are, the commands that point OpenClaw at it, and where Terraform's whole output is.
 */
function closingBlock(config: StackConfig, root: string): string {
  // The variables that chose this stack must be on the commands that reach it again.
  const chosenBy = [
    ...(process.env.LITELLM_STACK_CONFIG ? [`LITELLM_STACK_CONFIG=${process.env.LITELLM_STACK_CONFIG}`] : []),
    ...(config.experiment && process.env.EXPERIMENT ? [`EXPERIMENT=${config.experiment}`] : []),
  ].map((assignment) => `${assignment} `).join("");
  const snippet = shown(root, join(stackOutDir(root, config.name), "openclaw.json5"));
  const key = config.keys[0]?.alias;
  return [
    `  proxy:      ${config.openclaw.baseUrl}`,
    ...(config.dashboard.enabled
      ? [`  dashboard:  ${dashboardUrl(config)} (user ${config.dashboard.username}; password LITELLM_UI_PASSWORD, else the master key: ${chosenBy}npm run --silent keys -- master-key)`]
      : []),
    `  OpenClaw:   openclaw config patch --file ${snippet}`,
    ...(key ? [`              key=$(${chosenBy}npm run --silent keys -- get ${key}) && export LITELLM_API_KEY="$key"`] : []),
    `  Terraform's whole output: ${shown(root, join(stackOutDir(root, config.name), TERRAFORM_LOG))} (or run with -- ${VERBOSE_FLAG})`,
  ].join("\n");
}

/** On a failure, where Terraform's whole output is, before the one-line outcome. */
function withLogPath(outcome: Outcome, options: LifecycleOptions): Outcome {
  if (outcome.code !== 0 && options.logFile && existsSync(options.logFile) && statSync(options.logFile).size > 0) {
    console.error(`Terraform's whole output: ${shown(options.projectDir, options.logFile)}`);
  }
  return outcome;
}

function finish(outcome: Outcome): number {
  if (outcome.summary) (outcome.code === 0 ? console.log : console.error)(outcome.code === 0 ? outcome.summary : `error: ${outcome.summary}`);
  return outcome.code;
}

async function main([command, ...rest]: string[]): Promise<number> {
  // From the process's start: node itself and loading the modules.
  phases.add("node start-up", performance.now());
  if (command === "stacks") {
    const configured = configuredEngine();
    if ("kubernetes" in configured && configured.kubernetes) return listClusterStacks(configured.kubernetes, rest.includes("--json"));
    const target = configured as DockerTarget;
    const engine = engineInfo(target);
    const stacks = "error" in engine ? undefined : runningStacks(target);
    if (!stacks) return finish({ code: 1, summary: noEngineMessage(target.host, "error" in engine ? engine.error : "docker ps failed") });
    console.log(rest.includes("--json") ? JSON.stringify(stacks, null, 2) : formatStacks(stacks));
    return 0;
  }
  const unknownFlags = rest.filter((arg) => !INIT_FLAGS.includes(arg) && arg !== VERBOSE_FLAG);
  if (!["deploy", "destroy", "drift"].includes(command) || unknownFlags.length > 0) {
    console.error(`usage: stack.js deploy|destroy|drift [${INIT_FLAGS.join("|")}] [${VERBOSE_FLAG}] | stacks [--json]`);
    return 2;
  }
  const root = projectRoot();
  try {
    const config = loadStackConfig();
    if (command === "destroy") {
      const refusal = destroyRefusal(config, process.env);
      if (refusal.length > 0) throw new ConfigError("destroy", refusal);
    }
    const nothingDeployed = command === "destroy" && localStateResourceCount(config, root) === 0;
    const onKubernetes = config.profile === "kubernetes";
    if (onKubernetes && !nothingDeployed) {
      const problem = await phases.time("cluster checks", () => kubernetesDeployProblem(config));
      if (problem) return finish({ code: 1, summary: `${problem}. Nothing was changed` });
    }
    const engine = nothingDeployed || onKubernetes ? undefined : await phases.time("engine and port checks", () => engineInfo(config.docker));
    if (engine && "error" in engine) return finish({ code: 1, summary: `${noEngineMessage(config.docker.host, engine.error)}. Nothing was changed` });
    if (engine && config.profile === "swarm") {
      const info = await docker(["info", "--format", SWARM_INFO_FORMAT], config.docker);
      const problem = swarmDeployProblem(config, parseSwarmInfo(info.stdout));
      if (problem) return finish({ code: 1, summary: `${problem}. Nothing was changed` });
    }

    const env: NodeJS.ProcessEnv = {
      ...terraformEnv(config, process.env),
      CHECKPOINT_DISABLE: "1",
      ...(engine ? { [ENGINE_API_VERSION_ENV]: engine.apiVersion } : {}),
    };
    const options: LifecycleOptions = {
      config,
      projectDir: root,
      env,
      synth: synth(root, env),
      initArgs: rest.filter((arg) => arg !== VERBOSE_FLAG),
      echo: rest.includes(VERBOSE_FLAG) || process.env.LITELLM_STACK_VERBOSE === "1" ? "full" : "summary",
      logFile: join(stackOutDir(root, config.name), TERRAFORM_LOG),
      // Swarm watches its own tasks: a failed start rolls the service back, and the provider reports it.
      watchContainers:
        config.profile === "container" ? (["postgres", "redis", "litellm"] as const).map((component) => resourceNames(config.name)[component]) : [],
      ...(config.kubernetes && command === "deploy" ? { watchPods: { connection: kubeConnection(config.kubernetes), namespace: config.kubernetes.namespace } } : {}),
      dataDeletionAllowed: dataDeletionAllowed(process.env),
      phases,
      interrupts: interrupts.install(),
      beforeImageChange: (changes) =>
        guardImageChanges({ config, projectDir: root, changes, access: () => proxyAccess(config), log: (line) => console.log(line) }),
    };
    if (command === "destroy") {
      const connect = async () => {
        const { access, admin } = await connectToProxy(config);
        return { admin, values: access.keys };
      };
      const destroyed = await destroyStack(options, () => tearDownKeysOrWarn(connect, root, config.name));
      const kept = destroyed.code === 0 ? keptBackupsLine(root, config.name) : undefined;
      if (kept) console.log(kept);
      return finish(withLogPath(destroyed, options));
    }

    if (command === "drift") {
      const drift = await checkDrift(options);
      // Drift is a finding, not a failure of the check: said on stdout, with Terraform's exit code.
      if (drift.code === DRIFT_EXIT_CODE) console.log(drift.summary);
      return drift.code === DRIFT_EXIT_CODE ? drift.code : finish(withLogPath(drift, options));
    }

    // On a cluster the node port is checked with the cluster (kubernetesDeployProblem).
    const running = onKubernetes ? undefined : await phases.time("engine and port checks", () => runningStacks(config.docker));
    const clashes = running ? portClashProblems(config, running) : [];
    if (clashes.length > 0) throw new ConfigError("stack configuration", clashes);
    const deployed = await deployStack(options);
    if (deployed.code !== 0) return finish(withLogPath(deployed, options));
    const keysOutcome = await phases.time("keys", () => syncKeys(config, root, deployed.priorOutputs));
    if (keysOutcome) return finish(keysOutcome);
    console.log(closingBlock(config, root));
    return finish(deployed);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`error: nothing was changed\n${error.message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  phases.report();
  process.exitCode = code;
});
