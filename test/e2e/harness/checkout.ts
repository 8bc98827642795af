/**
 * A checkout of the project in a temporary folder, driven through the commands a user runs
 * (`npm run deploy | destroy | keys | stacks`) with the real Terraform, the real providers (from a
 * filesystem mirror where the registry cannot be reached) and the real engine. Each checkout has
 * its own cdktf.out/, terraform-state/ and outputs.json, as a user's clone would.
 */
import { spawn, spawnSync } from "node:child_process";
import { collectOutput, type CommandResult } from "./collect-output";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { localStatePath } from "../../../src/terraform/state-backend";
import type { StackConfig } from "../../../src/catalog/validate";

export const PROJECT_ROOT = resolve(__dirname, "..", "..", "..");

/** What a user's clone holds that the commands need (node_modules is linked, not copied). */
const PROJECT_FILES = [".npmrc", "package.json", "tsconfig.json", "tsconfig.build.json", "cdktf.json", "main.ts", "src", "stacks", "scripts", "templates", "examples"];

/** The mirror of the pinned providers: $TERRAFORM_PROVIDER_MIRROR, else ../shared/terraform-providers. */
export function providerMirror(): string | undefined {
  const dir = process.env.TERRAFORM_PROVIDER_MIRROR || join(PROJECT_ROOT, "..", "shared", "terraform-providers");
  return existsSync(join(dir, "registry.terraform.io")) ? resolve(dir) : undefined;
}

/**
 * Why the real commands cannot run here, or undefined. Decided at load time, so a skip is printed
 * with its reason and never counted as a pass.
 */
export function realPathUnavailableReason(): string | undefined {
  if (spawnSync("terraform", ["version"], { encoding: "utf8" }).status !== 0) return "no terraform binary on PATH";
  if (!providerMirror()) {
    return "no provider mirror with kreuzwerker/docker and hashicorp/random (../shared/terraform-providers or $TERRAFORM_PROVIDER_MIRROR), and this machine cannot reach the Terraform registry";
  }
  return undefined;
}

/** Terraform's CLI configuration that installs the pinned providers from the mirror (its README's recipe). */
export function mirrorCliConfig(dir: string): string {
  const file = join(dir, "mirror.tfrc");
  writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${providerMirror()}"\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  return file;
}

export type { CommandResult };

/** Variables of the test process that must not reach a user's command (they would change what it does). */
const STRIPPED_ENV = /^(TF_VAR_|LITELLM_|EXPERIMENT$|DOCKER_HOST$|TF_CLI_CONFIG_FILE$|JEST_|npm_|CHECKPOINT_DISABLE$|NODE_OPTIONS$)/;

export class Checkout {
  readonly dir: string;
  private readonly cliConfig: string;

  /** @param cliConfig Terraform's CLI configuration @default the Terraform-only mirror (mirrorCliConfig) */
  constructor(label: string, cliConfig?: string) {
    this.dir = mkdtempSync(join(tmpdir(), `litellm-stack-${label}-`));
    for (const entry of PROJECT_FILES) cpSync(join(PROJECT_ROOT, entry), join(this.dir, entry), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(this.dir, "node_modules"));
    this.cliConfig = cliConfig ?? mirrorCliConfig(this.dir);
  }

  get configFile(): string {
    return join(this.dir, "stack.config.yaml");
  }

  /** Writes stack.config.yaml, as a user edits it. */
  writeConfig(config: Record<string, unknown>): void {
    writeFileSync(this.configFile, stringify(config));
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !STRIPPED_ENV.test(name)));
    // Terraform's whole output, which the suites read (plans, replacements); first-run.e2e reads the summary a user gets.
    return { ...inherited, CI: "true", TF_CLI_CONFIG_FILE: this.cliConfig, LITELLM_STACK_VERBOSE: "1", ...extra };
  }

  /** `npm run <script> [-- args]` in the checkout, without a terminal, as CI runs it. */
  npm(script: string, args: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}, echo = true): Promise<CommandResult> {
    return this.spawn("npm", ["run", "--silent", script, ...(args.length > 0 ? ["--", ...args] : [])], this.dir, extraEnv, echo);
  }

  /** `npx <args>` in the checkout (`npx cdktf deploy ...`), as a user types it, without a terminal. */
  npx(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
    return this.spawn("npx", args, this.dir, extraEnv, true);
  }

  /**
   * `npm run <script>` as a user in a terminal runs it, interrupted as Ctrl-C does: once its output
   * matches `when`, SIGINT goes to the command's whole process group.
   */
  async npmInterrupted(script: string, when: RegExp, extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult & { readonly interrupted: boolean }> {
    const started = Date.now();
    // A process group of its own, as a terminal gives each command: the signal goes to that group.
    const child = spawn("npm", ["run", "--silent", script], { cwd: this.dir, env: this.env(extraEnv), stdio: ["ignore", "pipe", "pipe"], detached: true });
    let seen = "";
    let interrupted = false;
    const watch = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (!interrupted && when.test(seen)) {
        interrupted = true;
        process.kill(-(child.pid as number), "SIGINT");
      }
    };
    child.stdout.on("data", watch);
    child.stderr.on("data", watch);
    const result = await collectOutput(child, started);
    process.stdout.write(`$ npm run ${script}, Ctrl-C once ${when} showed  (exit ${result.status}, ${result.seconds.toFixed(1)} s): ${result.lastLine}\n`);
    return { ...result, interrupted };
  }

  /** Terraform itself in a stack's synthesized folder (the drift check a user or CI runs). */
  terraform(stackName: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
    return this.spawn("terraform", args, join(this.dir, "cdktf.out", "stacks", stackName), extraEnv, false);
  }

  /** The local state file's bytes, or undefined where there is none. */
  stateBytes(config: StackConfig): Buffer | undefined {
    const file = localStatePath(config, this.dir);
    return file && existsSync(file) ? readFileSync(file) : undefined;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async spawn(command: string, args: readonly string[], cwd: string, extraEnv: NodeJS.ProcessEnv, echo: boolean): Promise<CommandResult> {
    const started = Date.now();
    const child = spawn(command, [...args], { cwd, env: this.env(extraEnv), stdio: ["ignore", "pipe", "pipe"] });
    const result = await collectOutput(child, started);
    if (echo) process.stdout.write(`$ ${command} ${args.join(" ")}  (exit ${result.status}, ${result.seconds.toFixed(1)} s): ${result.lastLine}\n`);
    return result;
  }
}
