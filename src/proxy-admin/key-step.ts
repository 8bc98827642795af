import { DataResource, Fn, TerraformLocal, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { MASTER_KEY_ENV, STEP_KEY_HASHES_ENV, STEP_KEY_VALUES_ENV } from "../catalog/env-names";
import { EXPERIMENT_ENV } from "../catalog/experiment";
import { CONFIG_PATH_ENV } from "../catalog/load-config";
import type { StackConfig } from "../catalog/validate";
import { shellWord } from "../containers/shell-word";
import { terraformLiteral as literal } from "../containers/terraform-literal";
import { keySettings } from "../generate/virtual-keys";

export interface KeyStepProps {
  /** The validated configuration: its keys and the proxy's base URL. */
  readonly config: StackConfig;
  /** The proxy's admin key, as a Terraform value. */
  readonly masterKey: string;
  /** Virtual key alias -> its value, as Terraform values. */
  readonly virtualKeys: Readonly<Record<string, string>>;
  /** What serves the proxy once created (LiteLLM's container, the swarm's load balancer): the step runs after it. */
  readonly proxy: TerraformResource;
  /** What runs the database the keys live in: a new one runs the step again (a catalog change does not). */
  readonly database: TerraformResource & { readonly id: string };
  /** The checkout whose compiled `dist/scripts/keys.js` the step runs. */
  readonly projectDir: string;
  /** The configuration file the synth read, which the step's command reads too. */
  readonly configFile: string;
}

/**
 * The declared virtual keys as a step of the Terraform graph, so that whatever runs Terraform
 * (`npm run deploy`, `cdktf deploy`, `terraform apply` in the stack's folder, OpenTofu) creates,
 * updates and revokes them alike: the project's own reconciler (`keys.js reconcile`), run once the
 * proxy is healthy, and again whenever the declared keys, their values or the database's container change.
 * When the step is replaced or removed, `keys.js retire` revokes the keys the configuration no
 * longer declares and leaves the others to the next reconcile, which keeps those still wanted.
 *
 * The values reach the command by its environment, never its command line or a file; Terraform
 * prints the command and its output, which names aliases and actions only.
 */
export class KeyStep extends Construct {
  constructor(scope: Construct, id: string, props: KeyStepProps) {
    super(scope, id);
    const { config } = props;
    const keysScript = shellWord(`${props.projectDir}/dist/scripts/keys.js`);
    // Locals, so that no built-in function is handed a "sk-${...}" template (cdktf warns, and may mis-render).
    const values = new TerraformLocal(this, "values", props.virtualKeys);
    const hashes = Fn.nonsensitive(
      new TerraformLocal(this, "hashes", `\${jsonencode({ for alias, value in ${values.fqn} : alias => sha256(value) })}`).asString,
    );
    const step = new DataResource(this, "reconcile", {
      // In place when these change (no command runs): what `retire` reads when the step goes.
      input: {
        base_url: literal(config.openclaw.baseUrl),
        master_key: props.masterKey,
        key_hashes: hashes,
        config_file: literal(props.configFile),
        experiment: literal(config.experiment ?? ""),
      },
      triggersReplace: {
        database: props.database.id,
        settings: literal(JSON.stringify(config.keys.map((key) => [keySettings(config.name, key), key.expiresAfter ?? null]))),
        key_hashes: hashes,
      },
      dependsOn: [props.proxy],
    });
    // As an override: cdktf's provisioner type has no `when`.
    step.addOverride("provisioner", [
      {
        "local-exec": {
          command: literal(`node ${keysScript} reconcile`),
          working_dir: literal(props.projectDir),
          environment: {
            [CONFIG_PATH_ENV]: literal(props.configFile),
            [EXPERIMENT_ENV]: literal(config.experiment ?? ""),
            LITELLM_BASE_URL: literal(config.openclaw.baseUrl),
            // nonsensitive: Terraform hides a command's whole output, failures included, when its
            // environment is sensitive; the command prints no value.
            [MASTER_KEY_ENV]: Fn.nonsensitive(props.masterKey),
            [STEP_KEY_VALUES_ENV]: Fn.nonsensitive(Fn.jsonencode(values.expression)),
          },
        },
      },
      {
        "local-exec": {
          when: "destroy",
          command: literal(`node ${keysScript} retire`),
          working_dir: literal(props.projectDir),
          // A destroy-time command sees only the step itself.
          environment: {
            [CONFIG_PATH_ENV]: "${self.input.config_file}",
            [EXPERIMENT_ENV]: "${self.input.experiment}",
            LITELLM_BASE_URL: "${self.input.base_url}",
            [MASTER_KEY_ENV]: "${nonsensitive(self.input.master_key)}",
            [STEP_KEY_HASHES_ENV]: "${self.input.key_hashes}",
          },
        },
      },
    ]);
  }
}
