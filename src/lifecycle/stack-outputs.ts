/**
 * Where the operations commands find the deployed proxy: LITELLM_BASE_URL / LITELLM_MASTER_KEY in
 * the environment, else the stack's Terraform outputs (`terraform output -json`, which carries the
 * sensitive ones). Values are read into memory, never printed or written.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../catalog/project-root";
import type { StackConfig } from "../catalog/validate";
import { localStatePath } from "../terraform/state-backend";
import { MASTER_KEY_ENV, STEP_KEY_VALUES_ENV } from "../catalog/env-names";
import { AdminError, LiteLLMAdmin } from "../proxy-admin/litellm-admin";
import { chooseBinary } from "./terraform-binary";
import { KUBERNETES_NAMES } from "../kubernetes/kubernetes-names";
import { KubeError, kubeConnection } from "./kubernetes-api";
import { openServiceTunnel } from "./kubernetes-tunnel";

export interface ProxyAccess {
  readonly baseUrl: string;
  readonly masterKey: string;
  /** Virtual key alias -> value. */
  readonly keys: Readonly<Record<string, string>>;
}

type Outputs = Record<string, { value: unknown } | undefined>;

/** Outputs as Terraform's state file records them (format 4: `outputs.<name>.value`). */
function stateFileOutputs(path: string): Outputs {
  if (!existsSync(path)) return {};
  return ((JSON.parse(readFileSync(path, "utf8")) as { outputs?: Outputs }).outputs ?? {}) as Outputs;
}

function terraformOutputs(config: StackConfig, cwd: string): Outputs {
  // Local state: read it directly, no `terraform init` needed (and nothing under cdktf.out/ either).
  const statePath = localStatePath(config, cwd);
  if (statePath) return stateFileOutputs(statePath);
  const dir = join(cwd, "cdktf.out", "stacks", config.name);
  if (!existsSync(join(dir, ".terraform"))) {
    throw new AdminError(`cannot read the outputs of stack "${config.name}" from its remote state: run \`npm run deploy\` from this checkout first (it initializes the backend), or set LITELLM_BASE_URL and ${MASTER_KEY_ENV}`);
  }
  const binary = chooseBinary(process.env).command;
  const result = spawnSync(binary, ["output", "-json", "-no-color"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) {
    const reason = /Error: (.*)/.exec(result.stderr ?? "")?.[1] ?? result.error?.message ?? `exit ${result.status}`;
    throw new AdminError(
      `cannot read the outputs of stack "${config.name}" (${binary} output: ${reason.trim()}): ` +
        `run \`npm run deploy\` from this checkout, or set LITELLM_BASE_URL and ${MASTER_KEY_ENV}`,
    );
  }
  return JSON.parse(result.stdout || "{}") as Outputs;
}

/** @param cwd the checkout whose state is read */
export function proxyAccess(config: StackConfig, env: NodeJS.ProcessEnv = process.env, cwd = projectRoot()): ProxyAccess {
  // The keys step of the Terraform graph hands the values over: the state is locked while it runs.
  const stepKeys = env[STEP_KEY_VALUES_ENV] ? (JSON.parse(env[STEP_KEY_VALUES_ENV]) as Record<string, string>) : undefined;
  const needsOutputs = !env.LITELLM_BASE_URL || !env[MASTER_KEY_ENV] || (config.keys.length > 0 && !stepKeys);
  const outputs = needsOutputs ? terraformOutputs(config, cwd) : {};
  const baseUrl = env.LITELLM_BASE_URL || (outputs.base_url?.value as string | undefined);
  const masterKey = env[MASTER_KEY_ENV] || (outputs.master_key?.value as string | undefined);
  if (!baseUrl || !masterKey) {
    throw new AdminError(
      `cannot find the proxy: no stack outputs for "${config.name}" (deploy it first) and ` +
        `LITELLM_BASE_URL / ${MASTER_KEY_ENV} are not both set`,
    );
  }
  return { baseUrl, masterKey, keys: stepKeys ?? (outputs.virtual_keys?.value as Record<string, string> | undefined) ?? {} };
}

/**
 * The deployed proxy's admin API, found as proxyAccess finds it. A kubernetes stack behind a
 * ClusterIP Service is reached through the Kubernetes API (kubernetes-tunnel.ts), unless
 * LITELLM_BASE_URL points elsewhere; `access` keeps the URL users are given.
 */
export async function connectToProxy(config: StackConfig, env: NodeJS.ProcessEnv = process.env): Promise<{ access: ProxyAccess; admin: LiteLLMAdmin }> {
  const access = proxyAccess(config, env);
  const kubernetes = config.kubernetes;
  if (kubernetes?.service.type !== "ClusterIP" || access.baseUrl !== config.openclaw.baseUrl) {
    return { access, admin: new LiteLLMAdmin(access.baseUrl, access.masterKey) };
  }
  try {
    const tunnel = await openServiceTunnel(kubeConnection(kubernetes), kubernetes.namespace, KUBERNETES_NAMES.litellm, config.litellm.port);
    return { access, admin: new LiteLLMAdmin(tunnel.url, access.masterKey) };
  } catch (error) {
    if (error instanceof KubeError) throw new AdminError(error.message);
    throw error;
  }
}
