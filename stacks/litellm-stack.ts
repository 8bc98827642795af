/**
 * The whole flow in one place: validated catalog -> generated files -> containers -> outputs.
 */
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { StackConfig } from "../src/catalog/validate";
import { writeBesideStack } from "../src/terraform/generated-files";
import { SecretInputs } from "../src/terraform/secret-inputs";
import { addContainerProfile } from "../src/containers/container-profile";
import { addSwarmProfile } from "../src/swarm/swarm-profile";
import { addKubernetesProfile } from "../src/kubernetes/kubernetes-profile";
import { renderLiteLLMConfig } from "../src/generate/litellm-config";
import { dashboardUrl } from "../src/generate/dashboard-url";
import { renderOpenClawSnippet } from "../src/generate/openclaw-snippet";
import { upstreamCredentialEnvNames } from "../src/catalog/env-names";
import { resolve } from "node:path";
import { projectRoot } from "../src/catalog/project-root";
import { addStateBackend, localStatePath, stateBackendFor } from "../src/terraform/state-backend";
import { secretInputsFile } from "../src/terraform/secret-inputs-file";
import { LocalFilesCleanup } from "../src/terraform/local-files-cleanup";
import { KeyStep } from "../src/proxy-admin/key-step";
import { retiredKeysFile } from "../src/proxy-admin/retired-keys";
import { readRevokedKeys, revokedKeysFile } from "../src/proxy-admin/revoked-keys";
import { restoredKeysFile } from "../src/terraform/restored-keys";
import { DEFAULT_CONFIG_FILE } from "../src/catalog/load-config";
import { terraformLiteral as literal } from "../src/terraform/terraform-literal";

export const LITELLM_CONFIG_FILE = "litellm-config.yaml";
export const OPENCLAW_SNIPPET_FILE = "openclaw.json5";

export interface LiteLLMStackProps {
  /** The validated configuration (see `loadStackConfig`): models, images, port, names. */
  readonly config: StackConfig;
  /**
   * Lets a destroy delete a data volume protected by `database.keepDataOnDestroy`.
   * @default false - a protected volume makes destroy refuse
   */
  readonly allowDataDeletion?: boolean;
  /**
   * The folder local state paths are resolved from.
   * @default - the checkout this code runs from (the folder holding package.json)
   */
  readonly projectDir?: string;
  /**
   * The configuration file `config` was read from: the keys step's command reads it again.
   * @default - stack.config.yaml in projectDir
   */
  readonly configFile?: string;
}



/**
 * A LiteLLM proxy for OpenClaw on Docker or Kubernetes: a private network, Postgres with a named volume for spend
 * tracking and virtual keys (unless `database.enabled` is false), and the proxy with the config.yaml
 * generated from the catalog. Outputs the proxy's URL, its master key (sensitive) and the OpenClaw snippet.
 *
 * @example
 * new LiteLLMStack(app, config.name, { config: loadStackConfig() });
 */
export class LiteLLMStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: LiteLLMStackProps) {
    super(scope, id);
    const { config } = props;

    const projectDir = props.projectDir ?? projectRoot();
    addStateBackend(this, stateBackendFor(config, projectDir));
    // Unset fields fall back to DOCKER_HOST / DOCKER_CERT_PATH, like the docker CLI. The provider
    // runs in cdktf.out/stacks/<name>/: a relative certPath is the checkout's, so it is resolved here.
    // The kubernetes profile configures its own provider.
    if (config.profile !== "kubernetes") {
      new DockerProvider(this, "docker", {
        host: config.docker.host,
        sshOpts: config.docker.sshOpts.length > 0 ? [...config.docker.sshOpts] : undefined,
        certPath: config.docker.certPath && resolve(projectDir, config.docker.certPath),
      });
    }
    new RandomProvider(this, "random", {});

    const { secrets, virtualKeys } = new SecretInputs(this, "secrets", {
      upstreamEnvNames: upstreamCredentialEnvNames(config.models),
      withDatabase: config.database.enabled,
      withDashboard: config.dashboard.enabled,
      withRedis: config.redis.enabled,
      virtualKeyAliases: config.keys.map((key) => key.alias),
      revokedKeyHashes: readRevokedKeys(projectDir, config.name),
      inputsFile: secretInputsFile(projectDir, config.name),
    });

    // One profile renders the services: plain containers, swarm services behind a load balancer, or Kubernetes objects.
    const addProfile = { container: addContainerProfile, swarm: addSwarmProfile, kubernetes: addKubernetesProfile }[config.profile];
    const { proxy, database } = addProfile(this, { config, secrets, allowDataDeletion: props.allowDataDeletion });
    // Keys live in the database (validation refuses them without it); the step stays with no key
    // declared, so that dropping the last one revokes it.
    if (database) {
      new KeyStep(this, "virtual-keys", {
        config,
        masterKey: secrets.masterKey,
        virtualKeys,
        proxy,
        database,
        projectDir,
        configFile: props.configFile ?? resolve(projectDir, DEFAULT_CONFIG_FILE),
      });
    }
    const statePath = localStatePath(config, projectDir);
    const cleanup = new LocalFilesCleanup(this, "local-files", {
      files: [
        secretInputsFile(projectDir, config.name),
        retiredKeysFile(projectDir, config.name),
        revokedKeysFile(projectDir, config.name),
        restoredKeysFile(projectDir, config.name),
        ...(statePath ? [`${statePath}.backup`] : []),
      ],
    });

    const snippet = renderOpenClawSnippet(config);
    writeBesideStack(this, { [LITELLM_CONFIG_FILE]: renderLiteLLMConfig(config), [OPENCLAW_SNIPPET_FILE]: snippet });

    new TerraformOutput(this, "base_url", {
      value: literal(config.openclaw.baseUrl),
      description: "The proxy's base URL, as advertised to OpenClaw",
    });
    if (config.dashboard.enabled) {
      new TerraformOutput(this, "dashboard_url", {
        value: literal(dashboardUrl(config)),
        description: `LiteLLM's dashboard; log in as ${config.dashboard.username} with LITELLM_UI_PASSWORD, else the master key`,
      });
    }
    new TerraformOutput(this, "master_key", {
      value: secrets.masterKey,
      sensitive: true,
      description: "LiteLLM admin key: cdktf output --outputs-file-include-sensitive-outputs",
    });
    if (config.keys.length > 0) {
      new TerraformOutput(this, "virtual_keys", {
        value: virtualKeys,
        sensitive: true,
        description: "Virtual key alias -> value: npm run --silent keys -- get <alias>",
      });
    }
    new TerraformOutput(this, "openclaw_snippet", {
      value: literal(snippet),
      description: "JSON5 for `openclaw config patch --file`",
    });
    cleanup.dependOnIt(this);
  }
}
