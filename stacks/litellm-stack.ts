/**
 * The whole flow in one place: validated catalog -> generated files -> containers -> outputs.
 */
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Network } from "@cdktf/provider-docker/lib/network";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TerraformOutput, TerraformResource, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { StackConfig } from "../src/catalog/validate";
import { writeBesideStack } from "../src/containers/generated-files";
import { SecretInputs } from "../src/containers/secret-inputs";
import { ServiceContainer } from "../src/containers/service-container";
import { liteLLMSpec, postgresSpec, redisSpec, resourceNames, stackLabels } from "../src/containers/service-specs";
import { renderLiteLLMConfig } from "../src/generate/litellm-config";
import { dashboardUrl } from "../src/generate/dashboard-url";
import { renderOpenClawSnippet } from "../src/generate/openclaw-snippet";
import { upstreamCredentialEnvNames } from "../src/catalog/env-names";
import { projectRoot } from "../src/catalog/project-root";
import { addStateBackend, stateBackendFor } from "../src/containers/state-backend";
import { terraformLiteral as literal } from "../src/containers/terraform-literal";
import { DATA_PROTECTION_MARKER_ID } from "../src/operations/plan-guard";

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
}



/**
 * A LiteLLM proxy for OpenClaw on Docker: a private network, Postgres with a named volume for spend
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
    const names = resourceNames(config.name);
    const labelsOf = (component: Parameters<typeof stackLabels>[1]) =>
      Object.entries(stackLabels(config, component)).map(([label, value]) => ({ label: literal(label), value: literal(value) }));

    addStateBackend(this, stateBackendFor(config, props.projectDir ?? projectRoot()));
    // Unset fields fall back to DOCKER_HOST / DOCKER_CERT_PATH, like the docker CLI.
    new DockerProvider(this, "docker", {
      host: config.docker.host,
      sshOpts: config.docker.sshOpts.length > 0 ? [...config.docker.sshOpts] : undefined,
      certPath: config.docker.certPath,
    });
    new RandomProvider(this, "random", {});

    const { secrets, virtualKeys } = new SecretInputs(this, "secrets", {
      upstreamEnvNames: upstreamCredentialEnvNames(config.models),
      withDatabase: config.database.enabled,
      withDashboard: config.dashboard.enabled,
      withRedis: config.redis.enabled,
      virtualKeyAliases: config.keys.map((key) => key.alias),
    });

    // Not `internal`: kreuzwerker/docker recreates containers with published ports on internal networks (#319).
    const network = new Network(this, "network", { name: literal(names.network), driver: "bridge", labels: labelsOf("network") });

    let postgres: ServiceContainer | undefined;
    if (config.database.enabled) {
      const volume = new Volume(this, "postgres-data", {
        name: literal(names.volume),
        labels: labelsOf("volume"),
        // The spend database: a protected volume makes `destroy` fail instead of deleting it.
        lifecycle: { preventDestroy: config.database.keepDataOnDestroy && !props.allowDataDeletion },
      });
      if (config.database.keepDataOnDestroy) {
        // Built into Terraform (no provider to install); see src/operations/plan-guard.ts.
        const marker = new TerraformResource(this, DATA_PROTECTION_MARKER_ID, { terraformResourceType: "terraform_data" });
        marker.addOverride("input", literal(`${volume.terraformResourceType}.${volume.friendlyUniqueId}`));
      }
      postgres = new ServiceContainer(this, "postgres", {
        spec: postgresSpec(config, secrets),
        network,
        volumes: { [names.volume]: volume },
      });
    }
    const redis = config.redis.enabled ? new ServiceContainer(this, "redis", { spec: redisSpec(config, secrets), network }) : undefined;
    const dependencies = [postgres, redis].filter((c): c is ServiceContainer => c !== undefined).map((c) => c.container);
    new ServiceContainer(this, "litellm", {
      spec: liteLLMSpec(config, secrets),
      network,
      // Created only once Postgres (and Redis) are healthy: LiteLLM exits when its database is unreachable at start.
      dependsOn: dependencies.length > 0 ? dependencies : undefined,
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
  }
}
