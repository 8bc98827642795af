/**
 * Deploy and destroy, step by step, each step able to stop the run before anything changes:
 * state in its place -> synth -> terraform init -> plan (saved) -> the data guard on that plan ->
 * apply exactly that plan, watching the containers start -> outputs. Used by `npm run deploy` /
 * `npm run destroy`. A user's own `cdktf deploy` gets the same stack (secrets, keys and the
 * destroy's clean-up are in the synthesized configuration), without these checks.
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StackConfig } from "../catalog/validate";
import { DELETE_DATA_ENV } from "../catalog/data-protection";
import { localStatePath } from "../terraform/state-backend";
import { protectedDeletions } from "./plan-guard";
import { type ImageChange, imageChanges } from "./image-changes";
import { describeFailedStart, stopRestarting, watchStarts } from "./start-watch";
import { describePodFailure, watchPods } from "./kubernetes-pod-watch";
import { rollBackDeployment } from "./kubernetes-rollback";
import type { KubeConnection } from "./kubernetes-api";
import { localStateResourceCount, moveLegacyState, secureStateFiles, stackOutDir } from "./state-files";
import { appliedChanges, describeAppliedChanges } from "./applied-changes";
import { PhaseTimer } from "./phase-timer";
import { INTERRUPTED_EXIT_CODE, type InterruptRelay } from "./interrupts";
import type { Display } from "./terraform-display";
import { chooseBinary, type TerraformBinary } from "./terraform-binary";
import { diagnoseTerraformFailure } from "./terraform-failure";
import { type TerraformOutputs, TerraformRunner } from "./terraform-runner";

export const OUTPUTS_FILE = "outputs.json";
const PLAN_FILE = "stack.tfplan";

export interface LifecycleOptions {
  readonly config: StackConfig;
  /** The checkout: cdktf.out/, terraform-state/ and outputs.json are here. */
  readonly projectDir: string;
  /** Environment for the synth and Terraform (secrets as TF_VAR_*). */
  readonly env: NodeJS.ProcessEnv;
  /** Synthesizes the stack into cdktf.out/; resolves with the exit code (its errors already printed). */
  readonly synth: () => Promise<number>;
  /** Extra `terraform init` arguments, e.g. -migrate-state. */
  readonly initArgs?: readonly string[];
  /** Containers whose start is watched during apply. @default - none */
  readonly watchContainers?: readonly string[];
  /**
   * The kubernetes profile's namespace, whose new pods are watched while the apply runs.
   * @default - no pods are watched
   */
  readonly watchPods?: { readonly connection: KubeConnection; readonly namespace: string };
  readonly dataDeletionAllowed: boolean;
  /**
   * What of Terraform's output is shown as it runs: true or "full", "summary" (terraform-display.ts), false or "none".
   * @default true
   */
  readonly echo?: boolean | Display;
  /**
   * Where all of Terraform's output goes (emptied when the run starts, owner-only).
   * @default - nowhere
   */
  readonly logFile?: string;
  readonly log?: (line: string) => void;
  readonly warn?: (line: string) => void;
  /** Records each step's time (npm run bench -- deploy). @default - a timer nobody reads */
  readonly phases?: PhaseTimer;
  /**
   * Relays Ctrl-C / SIGTERM to Terraform, so that it stops gracefully (interrupts.ts).
   * @default - none: a signal ends the command and Terraform with it
   */
  readonly interrupts?: InterruptRelay;
  /**
   * Runs when a deploy's plan changes LiteLLM's or Postgres' image, before it is applied: a backup
   * (pre-change-backup.ts). A line returned refuses the deploy, nothing changed.
   * @default - nothing runs
   */
  readonly beforeImageChange?: (changes: readonly ImageChange[]) => Promise<string | undefined>;
}

const timerOf = (options: LifecycleOptions) => options.phases ?? new PhaseTimer();

/** The end of a run: the exit code and the one line that says how it ended. */
export interface Outcome {
  readonly code: number;
  readonly summary: string;
}

/** A deploy's outcome, with the outputs the state held before it (to see which keys it retired). */
export interface DeployOutcome extends Outcome {
  readonly priorOutputs?: Readonly<Record<string, unknown>>;
}

/** @param step the program's sub-command that failed ("init", "plan", "apply") */
export function failure(binary: TerraformBinary, step: string, output: string): Outcome {
  const diagnosis = diagnoseTerraformFailure(output, binary);
  const failed = `${binary.command} ${step} failed`;
  return {
    code: 1,
    summary: diagnosis ? `${failed}: ${diagnosis.cause}. Next: ${diagnosis.next}` : `${failed} (${binary.product}'s error is above)`,
  };
}

/**
 * How a run that a signal interrupted ended, or undefined when none did: Terraform was told once,
 * finished what it had started and released the state lock; the last line says what had changed.
 * @param applyOutput the interrupted apply's output, whose progress lines say what it had done
 */
function interruptedOutcome(options: LifecycleOptions, binary: TerraformBinary, step: string, applyOutput?: string): Outcome | undefined {
  const signal = options.interrupts?.signal;
  if (!signal) return undefined;
  const changed = applyOutput ? describeAppliedChanges(appliedChanges(applyOutput), "before it stopped") : "nothing was changed";
  return {
    code: INTERRUPTED_EXIT_CODE,
    summary: `interrupted by ${signal} during ${step}: ${binary.product} finished what it had started and released the state lock; ${changed}`,
  };
}

/** Synth and `terraform init` (when what it installs changed): a runner for the stack, or why not. */
export async function prepare(options: LifecycleOptions): Promise<TerraformRunner | Outcome> {
  const { config, projectDir } = options;
  for (const line of moveLegacyState(config, projectDir, chooseBinary(options.env).command)) (options.log ?? console.log)(line);
  secureStateFiles(config, projectDir);
  const phases = timerOf(options);
  if ((await phases.time("synth", options.synth)) !== 0) return { code: 1, summary: "synth failed: nothing was changed" };
  if (options.logFile) writeFileSync(options.logFile, "", { mode: 0o600 });
  const terraform = new TerraformRunner(stackOutDir(projectDir, config.name), options.env, options.echo ?? true, undefined, options.interrupts, options.logFile);
  const init = await phases.time("terraform init", () => terraform.initIfChanged(options.initArgs));
  if (init.status !== 0) return interruptedOutcome(options, terraform.binary, `${terraform.binary.command} init`) ?? failure(terraform.binary, "init", init.output);
  return terraform;
}

function protectionRefusal(config: StackConfig, addresses: readonly string[]): Outcome {
  return {
    code: 1,
    summary:
      `refused: the plan would delete ${addresses.join(", ")}, the spend database of "${config.name}", which its state protects ` +
      `(database.keepDataOnDestroy). Nothing was changed. To delete the data on purpose, run again with ${DELETE_DATA_ENV}=yes`,
  };
}

/** A deploy from nothing: its local state holds no resources (a remote backend's is unknown: false). */
const stateIsEmpty = (options: LifecycleOptions) => localStateResourceCount(options.config, options.projectDir) === 0;

/** Plans, checks and applies; the plan file never outlives the run (it holds secrets). */
async function planCheckApply(
  terraform: TerraformRunner,
  options: LifecycleOptions,
  destroy: boolean,
  beforeApply?: () => Promise<void>,
): Promise<Outcome | "no changes"> {
  const planFile = join(terraform.stackDir, PLAN_FILE);
  // The plan holds the stack's secrets: gone however the run ends, a signal between steps included.
  const withdraw = options.interrupts?.onAbruptExit(() => rmSync(planFile, { force: true }));
  try {
    const phases = timerOf(options);
    const plan = await phases.time("plan", () => terraform.plan(planFile, destroy));
    const stoppedInPlan = interruptedOutcome(options, terraform.binary, "the plan");
    if (stoppedInPlan) return stoppedInPlan;
    if (plan.status === 1) return failure(terraform.binary, "plan", plan.output);
    if (plan.status === 0) return "no changes";
    // A plan from a state without resources can delete nothing and meets no protection marker, so
    // the data guard needs no JSON of it (a second Terraform process). Read after the plan: a state
    // written since makes the saved plan stale, and Terraform then refuses to apply it.
    if (destroy || !stateIsEmpty(options)) {
      const json = await phases.time("plan as JSON", () => terraform.showPlan(planFile)).catch((error: unknown) => {
        if (options.interrupts?.signal) return undefined;
        throw error;
      });
      if (!json) return interruptedOutcome(options, terraform.binary, "the check of the plan") as Outcome;
      const deletions = protectedDeletions(json);
      if (deletions.length > 0 && !options.dataDeletionAllowed) return protectionRefusal(options.config, deletions);
      if (destroy && !(json.resource_changes ?? []).some((rc) => rc.change.actions.includes("delete"))) return "no changes";
      const changes = destroy ? [] : imageChanges(json);
      if (changes.length > 0 && options.beforeImageChange) {
        const guard = options.beforeImageChange;
        const refusal = await phases.time("backup", () => guard(changes));
        if (refusal) return { code: 1, summary: refusal };
      }
    }
    const stoppedBeforeApply = interruptedOutcome(options, terraform.binary, "the check of the plan");
    if (stoppedBeforeApply) return stoppedBeforeApply;
    if (beforeApply) await phases.time("keys", beforeApply);
    return await phases.time(destroy ? "apply (destroy)" : "apply (until healthy)", () => applyWatched(terraform, planFile, options));
  } finally {
    rmSync(planFile, { force: true });
    withdraw?.();
  }
}

async function applyWatched(terraform: TerraformRunner, planFile: string, options: LifecycleOptions): Promise<Outcome> {
  const names = options.watchContainers ?? [];
  const watch = names.length > 0 ? watchStarts(names, Date.now(), options.config.docker) : undefined;
  let interrupt: () => void = () => undefined;
  const pods = options.watchPods ? watchPods(options.watchPods.connection, options.watchPods.namespace, Date.now()) : undefined;
  const applying = terraform.apply(planFile, (stop) => (interrupt = stop));
  const failedStart = watch?.failure.then((failed) => {
    if (failed) interrupt();
    return failed;
  });
  const failedPod = pods?.failure.then((failed) => {
    if (!failed) return failed;
    interrupt();
    // The kubernetes provider keeps waiting for the rollout through a graceful stop (measured: to
    // its 10-minute timeout); a second interrupt ends Terraform. The update it waited on was made,
    // so the next plan shows it again until it is fixed.
    setTimeout(interrupt, 10_000).unref();
    return failed;
  });
  const applied = await applying;
  watch?.stop();
  pods?.stop();
  const podFailure = await failedPod;
  if (podFailure && options.watchPods) {
    // Nothing left half-rolled: back to the release before, and the state says so.
    const rolledBack = await rollBackDeployment(options.watchPods.connection, options.watchPods.namespace, podFailure.deployment);
    const refreshed = await terraform.refreshOnly();
    const stateNote = refreshed.status === 0 ? "the state was refreshed from what the cluster runs" : "refreshing the state failed (run `npm run drift`)";
    return { code: 1, summary: describePodFailure(podFailure, `${rolledBack}; ${stateNote}`) };
  }
  const failed = await failedStart;
  if (failed) {
    await stopRestarting(failed.container, options.config.docker);
    return { code: 1, summary: `deploy stopped: ${describeFailedStart(failed)}` };
  }
  if (applied.status === 0) return { code: 0, summary: "" };
  const stopped = interruptedOutcome(options, terraform.binary, "the apply", applied.output);
  if (stopped) return { ...stopped, summary: `${stopped.summary}. Run the same command again to finish` };
  // What already happened decides what the user must do next: say it in the last line.
  const applyFailure = failure(terraform.binary, "apply", applied.output);
  const changed = describeAppliedChanges(appliedChanges(applied.output));
  if (options.config.profile !== "swarm") return { ...applyFailure, summary: `${applyFailure.summary}; ${changed}` };
  // Swarm may have rolled services back: the state then says what runs, so the next plan shows what is still to do.
  const refreshed = await terraform.refreshOnly();
  const stateNote = refreshed.status === 0 ? "the state was refreshed from what the swarm runs" : "refreshing the state from the swarm failed too (run `npm run deploy` again)";
  return { ...applyFailure, summary: `${applyFailure.summary}; ${changed}; ${stateNote}` };
}

/** Non-sensitive outputs in cdktf's --outputs-file form, owner-only like every file that can hold stack data. */
function writeOutputsFile(outputs: TerraformOutputs, options: LifecycleOptions): void {
  const visible = Object.fromEntries(Object.entries(outputs).filter(([, o]) => !o.sensitive).map(([name, o]) => [name, o.value]));
  const file = join(options.projectDir, OUTPUTS_FILE);
  writeFileSync(file, `${JSON.stringify({ [options.config.name]: visible }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // a file from an earlier version may be world-readable
}

/** After a destroy: the stack's outputs (its URL) describe nothing any more; the file goes when it held only them. */
function forgetOutputs(options: Pick<LifecycleOptions, "config" | "projectDir">): void {
  const file = join(options.projectDir, OUTPUTS_FILE);
  if (!existsSync(file)) return;
  let outputs: Record<string, unknown>;
  try {
    outputs = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return; // not ours to judge: a file we cannot read is left as it is
  }
  if (!(options.config.name in outputs)) return;
  delete outputs[options.config.name];
  if (Object.keys(outputs).length === 0) rmSync(file);
  else writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`, { mode: 0o600 });
}

export async function deployStack(options: LifecycleOptions): Promise<DeployOutcome> {
  const terraform = await prepare(options);
  if (!(terraform instanceof TerraformRunner)) return terraform;
  const phases = timerOf(options);
  // A deploy from nothing has no outputs to read before it.
  const prior = stateIsEmpty(options) ? {} : await phases.time("outputs", () => terraform.outputs());
  const priorOutputs = Object.fromEntries(Object.entries(prior).map(([name, o]) => [name, o.value]));
  const result = await planCheckApply(terraform, options, false);
  secureStateFiles(options.config, options.projectDir);
  if (result !== "no changes" && result.code !== 0) return { ...result, priorOutputs };
  // A plan without changes leaves the outputs as they were: no second Terraform process for them.
  const outputs = result === "no changes" ? prior : await phases.time("outputs", () => terraform.outputs());
  writeOutputsFile(outputs, options);
  const summary = result === "no changes" ? `stack "${options.config.name}" is up to date: nothing changed` : `stack "${options.config.name}" deployed`;
  return { code: 0, summary, priorOutputs };
}

/**
 * @param beforeApply runs once the destroy plan is known to be allowed, just before it is applied
 *   (the virtual keys go then: a refused or failed plan leaves them in place)
 */
export async function destroyStack(options: LifecycleOptions, beforeApply?: () => Promise<void>): Promise<Outcome> {
  const { config, projectDir } = options;
  for (const line of moveLegacyState(config, projectDir, chooseBinary(options.env).command)) (options.log ?? console.log)(line);
  if (localStateResourceCount(config, projectDir) === 0) {
    forgetOutputs(options);
    return { code: 0, summary: `nothing to destroy: stack "${config.name}" has no resources in its state (${localStatePath(config, projectDir)})` };
  }
  const terraform = await prepare(options);
  if (!(terraform instanceof TerraformRunner)) return terraform;
  const result = await planCheckApply(terraform, options, true, beforeApply);
  secureStateFiles(config, projectDir);
  if (result !== "no changes" && result.code !== 0) return result;
  forgetOutputs(options);
  return result === "no changes"
    ? { code: 0, summary: `nothing to destroy: stack "${config.name}" has no resources in its state` }
    : { code: 0, summary: `stack "${config.name}" destroyed` };
}
