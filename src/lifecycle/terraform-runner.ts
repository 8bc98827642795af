/**
 * Runs Terraform in a synthesized stack folder: its output goes to the user as it comes, and the
 * tail is kept to say why a step failed. A plan is saved, checked and then applied as saved, so
 * what was checked is exactly what runs.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initFingerprint } from "./init-fingerprint";
import type { PlanJson } from "./plan-guard";
import type { InterruptRelay } from "./interrupts";
import { type Display, FAILURE_TAIL_LINES, shows } from "./terraform-display";
import { chooseBinary, type TerraformBinary } from "./terraform-binary";

export interface StepResult {
  readonly status: number;
  /** The last ~200 lines Terraform printed (stdout and stderr). */
  readonly output: string;
}

export interface RunOptions {
  /** Keep the output to the caller (it may hold secrets, e.g. `show -json`); otherwise it is also shown. */
  readonly capture?: boolean;
  /** Called with a function that interrupts the run (SIGINT, as Ctrl-C would). */
  readonly onStart?: (interrupt: () => void) => void;
}

/** `terraform output -json`: each output's value and whether it is sensitive. */
export type TerraformOutputs = Readonly<Record<string, { readonly value: unknown; readonly sensitive: boolean }>>;

const TAIL_LINES = 200;

/** Inside .terraform/, which init owns: the fingerprint of the last init that succeeded. */
const INIT_RECORD = "litellm-stack-init.sha256";

export class TerraformRunner {
  constructor(
    readonly stackDir: string,
    private readonly env: NodeJS.ProcessEnv,
    /**
     * What of Terraform's output is shown as it comes (terraform-display.ts); false: nothing (tests).
     * @default "full"
     */
    echo: boolean | Display = true,
    /** Terraform or OpenTofu. @default TERRAFORM_BINARY_NAME, else what is installed (terraform-binary.ts) */
    readonly binary: TerraformBinary = chooseBinary(env),
    /**
     * Relays Ctrl-C / SIGTERM to the running Terraform (interrupts.ts).
     * @default - none: Terraform shares this process's group and its fate
     */
    private readonly interrupts?: InterruptRelay,
    /**
     * Where all of Terraform's output goes, whatever is shown (owner-only).
     * @default - nowhere
     */
    readonly logFile?: string,
  ) {
    this.display = echo === true ? "full" : echo === false ? "none" : echo;
  }

  private readonly display: Display;

  run(args: readonly string[], options: RunOptions = {}): Promise<StepResult & { readonly stdout: string }> {
    return new Promise((resolve) => {
      // A process group of its own when signals are relayed: a terminal's Ctrl-C reaches it once, through the relay.
      const detached = this.interrupts !== undefined;
      const child = spawn(this.binary.command, [...args], { cwd: this.stackDir, env: this.env, stdio: ["ignore", "pipe", "pipe"], detached });
      this.interrupts?.track(child);
      let stdout = "";
      let tail = "";
      // Shown line by line, so that a line can be left out whole (the saved plan's hint).
      const partial = new Map<NodeJS.WriteStream, string>();
      const show = (text: string, stream: NodeJS.WriteStream, flush = false) => {
        const lines = ((partial.get(stream) ?? "") + text).split("\n");
        partial.set(stream, flush ? "" : (lines.pop() as string));
        const shown = lines.filter((line) => shows(this.display, line));
        if (shown.length > 0) stream.write(`${shown.join("\n")}${flush ? "" : "\n"}`);
      };
      const keep = (chunk: Buffer, stream: NodeJS.WriteStream) => {
        const text = chunk.toString("utf8");
        if (options.capture && stream === process.stdout) {
          stdout += text; // may hold secrets: neither shown nor kept in the tail
          return;
        }
        if (!options.capture) show(text, stream);
        if (!options.capture && this.logFile) appendFileSync(this.logFile, text, { mode: 0o600 });
        tail = (tail + text).split("\n").slice(-TAIL_LINES).join("\n");
      };
      child.stdout.on("data", (chunk: Buffer) => keep(chunk, process.stdout));
      child.stderr.on("data", (chunk: Buffer) => keep(chunk, process.stderr));
      child.on("close", (code) => {
        for (const stream of partial.keys()) show("", stream, true);
        // A summary left the error out: show the failed step's last lines, as Terraform printed them.
        if (code !== 0 && code !== 2 && this.display === "summary" && !options.capture) {
          process.stderr.write(`${tail.trimEnd().split("\n").slice(-FAILURE_TAIL_LINES).join("\n")}\n`);
        }
      });
      options.onStart?.(() => child.kill("SIGINT"));
      child.on("error", (error) => resolve({ status: 127, output: `${this.binary.command}: ${error.message}`, stdout }));
      child.on("close", (code) => resolve({ status: code ?? 1, output: tail, stdout }));
    });
  }

  init(extraArgs: readonly string[] = []) {
    return this.run(["init", "-input=false", "-no-color", ...extraArgs]);
  }

  /**
   * `terraform init`, unless the last one that succeeded here had the same inputs (providers,
   * backend, CLI configuration) and left its providers and lock file in place. Extra arguments
   * (-migrate-state, -reconfigure, -upgrade) always run it.
   */
  async initIfChanged(extraArgs: readonly string[] = []): Promise<StepResult & { readonly skipped: boolean }> {
    const record = join(this.stackDir, ".terraform", INIT_RECORD);
    const cliConfigFile = this.env.TF_CLI_CONFIG_FILE;
    const fingerprint = initFingerprint({
      stackJson: readFileSync(join(this.stackDir, "cdk.tf.json"), "utf8"),
      cliConfig: cliConfigFile && existsSync(cliConfigFile) ? readFileSync(cliConfigFile, "utf8") : undefined,
      binary: this.binary.command,
      pluginCacheDir: this.env.TF_PLUGIN_CACHE_DIR,
    });
    const installed = ["providers", INIT_RECORD].every((entry) => existsSync(join(this.stackDir, ".terraform", entry))) && existsSync(join(this.stackDir, ".terraform.lock.hcl"));
    if (extraArgs.length === 0 && installed && readFileSync(record, "utf8") === fingerprint) return { status: 0, output: "", skipped: true };
    rmSync(record, { force: true });
    const result = await this.init(extraArgs);
    if (result.status === 0) writeFileSync(record, fingerprint);
    return { ...result, skipped: false };
  }

  /** Saves the plan to `planFile`; status 0: no changes, 2: changes, 1: error (-detailed-exitcode). */
  plan(planFile: string, destroy = false) {
    return this.run(["plan", "-input=false", "-no-color", "-detailed-exitcode", `-out=${planFile}`, ...(destroy ? ["-destroy"] : [])]);
  }

  /** The saved plan as JSON. It holds sensitive values: kept in memory, never printed. */
  async showPlan(planFile: string): Promise<PlanJson> {
    const result = await this.run(["show", "-json", "-no-color", planFile], { capture: true });
    if (result.status !== 0) throw new Error(`${this.binary.command} show failed: ${result.output.trim().split("\n").at(-1)}`);
    return JSON.parse(result.stdout) as PlanJson;
  }

  apply(planFile: string, onStart?: RunOptions["onStart"]) {
    return this.run(["apply", "-input=false", "-no-color", planFile], { onStart });
  }

  /**
   * Reads what runs back into the state, changing nothing on the engine: after swarm rolled a failed
   * update back, the state otherwise holds the update's values (say memory_bytes) while the engine
   * runs the previous ones, and the next plan would not show the difference.
   */
  refreshOnly() {
    return this.run(["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"]);
  }

  /** `terraform output -json`: every output with its sensitivity. Held in memory only. */
  async outputs(): Promise<TerraformOutputs> {
    const result = await this.run(["output", "-json", "-no-color"], { capture: true });
    if (result.status !== 0) throw new Error(`${this.binary.command} output failed: ${result.output.trim().split("\n").at(-1)}`);
    return JSON.parse(result.stdout || "{}");
  }
}
