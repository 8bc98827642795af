import { DataResource, Fn, TerraformLocal, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { MASTER_KEY_ENV, STEP_KEY_HASHES_ENV, STEP_KEY_VALUES_ENV } from "../catalog/env-names";
import { EXPERIMENT_ENV } from "../catalog/experiment";
import { CONFIG_PATH_ENV } from "../catalog/load-config";
import type { StackConfig } from "../catalog/validate";
import { shellWord } from "../terraform/shell-word";
import { terraformLiteral as literal } from "../terraform/terraform-literal";
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
 * When the step is replaced, `keys.js retire` records the keys it held as retired (hashes, beside
 * the state), and the new step's reconcile revokes those no longer wanted and keeps the others.
 * The step stays in the configuration with no key declared (Terraform runs a destroy-time command
 * only for a resource still in the configuration), so dropping the last key revokes it too; a
 * destroy of the stack takes the keys with the database, and the record with the local files.
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
      // What `retire` reads when the step goes (a destroy-time command sees only the step itself).
      // Hashes only: Terraform prints a destroyed resource's input in the plan, sensitive or not;
      // and no path of the checkout, so a stack deployed from another checkout (a CI job's fresh
      // workspace) plans no change.
      input: { key_hashes: hashes },
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
          // Literals, or the step itself: all a destroy-time command may refer to.
          environment: {
            [CONFIG_PATH_ENV]: literal(props.configFile),
            [EXPERIMENT_ENV]: literal(config.experiment ?? ""),
            [STEP_KEY_HASHES_ENV]: "${self.input.key_hashes}",
          },
        },
      },
    ]);
  }
}
