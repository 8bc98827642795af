import { Password } from "@cdktf/provider-random/lib/password";
import { Fn, TerraformLocal, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { DATABASE_PASSWORD_ENV, MASTER_KEY_ENV, REDIS_PASSWORD_ENV, SALT_KEY_ENV, UI_PASSWORD_ENV } from "../catalog/env-names";
import type { DatabaseSecrets, StackSecrets } from "../specs/service-specs";
import { restoredKeyInput } from "./restored-keys";


export interface SecretInputsProps {
  /** Upstream credential variables the catalog names (ANTHROPIC_API_KEY, ...). */
  readonly upstreamEnvNames: readonly string[];
  /**
   * Whether the stack has a database, and so needs a database password and a salt key.
   * @default true
   */
  readonly withDatabase?: boolean;
  /**
   * Whether the dashboard is on, and so reads its password from LITELLM_UI_PASSWORD.
   * @default true
   */
  readonly withDashboard?: boolean;
  /**
   * Whether the stack runs Redis, and so needs its password.
   * @default false
   */
  readonly withRedis?: boolean;
  /**
   * Aliases of the virtual keys the configuration declares; each gets a generated value.
   * @default - no virtual keys
   */
  readonly virtualKeyAliases?: readonly string[];
  /**
   * Alias -> hashes of its values revoked while state still held them: kept on its generated value
   * so that a change of this list draws a new value (src/proxy-admin/revoked-keys.ts).
   * @default - none revoked
   */
  readonly revokedKeyHashes?: Readonly<Record<string, readonly string[]>>;
  /**
   * A JSON file of secrets by name (see secret-inputs-file.ts), read at plan time: a secret whose
   * `TF_VAR_<NAME>` is unset comes from it when it holds one.
   * @default - none: secrets come from `TF_VAR_*` only
   */
  readonly inputsFile?: string;
}

/**
 * The stack's secrets, as Terraform values that never pass through the synthesized files.
 *
 * Each secret is a sensitive Terraform variable read at plan time from `TF_VAR_<NAME>` (the deploy
 * script maps `<NAME>` to it), else from the inputs file the synth wrote from the deployer's
 * environment (so `cdktf deploy` gets them too). Master key, salt key and database password fall back to a
 * `random_password` kept in Terraform state, so a redeploy keeps them. Virtual key values are
 * generated the same way, so the deploy can hand them to LiteLLM and users get them as outputs.
 */
export class SecretInputs extends Construct {
  readonly secrets: StackSecrets;
  /** Virtual key alias -> its `sk-...` value. */
  readonly virtualKeys: Readonly<Record<string, string>>;
  private readonly inputs?: TerraformLocal;

  constructor(scope: Construct, id: string, props: SecretInputsProps) {
    super(scope, id);
    if (props.inputsFile) {
      const file = props.inputsFile;
      // One string type on both sides of the conditional; sensitive, as the variables are.
      this.inputs = new TerraformLocal(this, "inputs", Fn.sensitive(Fn.jsondecode(Fn.conditional(Fn.fileexists(file), Fn.file(file), "{}"))));
      this.inputs.overrideLogicalId("secret_inputs");
    }
    const masterKey = this.variable(MASTER_KEY_ENV, "LiteLLM admin key; must start with sk-", {
      // LiteLLM refuses to boot with the publicly known sk-1234 from its docs.
      condition: `\${var.${MASTER_KEY_ENV} == "" || (startswith(var.${MASTER_KEY_ENV}, "sk-") && var.${MASTER_KEY_ENV} != "sk-1234")}`,
      errorMessage: `${MASTER_KEY_ENV} must start with "sk-" and must not be the documentation's sk-1234.`,
    });
    // The master key's candidates, in order; the dashboard password falls back to the same list
    // (one flat coalesce: cdktf mis-renders a coalesce nested in another).
    const masterKeyCandidates = [masterKey, this.generatedKey("master_key")];
    this.secrets = {
      masterKey: Fn.coalesce(masterKeyCandidates),
      ...(props.withDatabase === false ? {} : { database: this.databaseSecrets() }),
      ...(props.withDashboard === false ? {} : { uiPassword: this.uiPassword(masterKeyCandidates) }),
      ...(props.withRedis ? { redisPassword: this.redisPassword() } : {}),
      upstream: Object.fromEntries(
        props.upstreamEnvNames.map((env) => [env, this.variable(env, `Upstream credential ${env}`)]),
      ),
    };
    this.virtualKeys = Object.fromEntries(
      (props.virtualKeyAliases ?? []).map((alias) => {
        const revoked = props.revokedKeyHashes?.[alias] ?? [];
        const keepers = revoked.length > 0 ? { revoked: revoked.join(",") } : undefined;
        const generated = `sk-${this.generated(`key-${alias}`, keepers).result}`;
        if (!this.inputs) return [alias, generated];
        // A value a restore brought back (src/terraform/restored-keys.ts) wins over the generated one.
        // The generated value as a local of its own: a token inside this expression renders bare.
        const fallback = new TerraformLocal(this, `key_${alias}_generated`, generated);
        const restored = `lookup(local.secret_inputs, "${restoredKeyInput(alias)}", "")`;
        const value = new TerraformLocal(this, `key_${alias}`, `\${${restored} != "" ? ${restored} : ${fallback.fqn}}`);
        return [alias, value.asString];
      }),
    );
  }

  private redisPassword(): string {
    const password = this.variable(REDIS_PASSWORD_ENV, "Password of the stack's Redis");
    return Fn.coalesce([password, this.generated("redis_password").result]);
  }

  /** LITELLM_UI_PASSWORD, else the master key: never empty. */
  private uiPassword(masterKeyCandidates: readonly string[]): string {
    const password = this.variable(UI_PASSWORD_ENV, "Password of LiteLLM's dashboard (/ui); unset: the master key");
    return Fn.coalesce([password, ...masterKeyCandidates]);
  }

  private databaseSecrets(): DatabaseSecrets {
    const saltKey = this.variable(SALT_KEY_ENV, "Encrypts credentials stored in the database; never change it once data exists");
    const dbPassword = this.variable(DATABASE_PASSWORD_ENV, "Postgres password of the LiteLLM user");
    const password = Fn.coalesce([dbPassword, this.generated("database_password").result]);
    return {
      saltKey: Fn.coalesce([saltKey, this.generatedKey("salt_key")]),
      password,
      passwordInUrl: Fn.urlencode(password),
    };
  }

  /** `TF_VAR_<name>`, else the inputs file's value, else "" (a plain coalesce fails on all-empty). */
  private variable(name: string, description: string, validation?: { condition: string; errorMessage: string }): string {
    const variable = new TerraformVariable(this, name, {
      type: "string",
      default: "",
      sensitive: true,
      description: `${description} (set TF_VAR_${name}, or ${name} in the shell that synthesizes)`,
      validation: validation ? [validation] : undefined,
    });
    // The variable's name is the user-facing contract (TF_VAR_<NAME>): keep it exactly.
    variable.overrideLogicalId(name);
    if (!this.inputs) return variable.stringValue;
    // Written out, as a local to refer to: cdktf renders Op.neq(x, "") as `x != undefined`, and
    // Fn.lookup without its default.
    const input = new TerraformLocal(this, `input_${name}`, `\${var.${name} != "" ? var.${name} : lookup(local.secret_inputs, "${name}", "")}`);
    return input.asString;
  }

  /**
   * `sk-<generated>`, as a local to refer to: cdktf warns about (and may mis-render) a "sk-${...}"
   * template handed to a built-in function such as coalesce.
   */
  private generatedKey(name: string): string {
    return new TerraformLocal(this, `${name}_generated`, `sk-${this.generated(name).result}`).asString;
  }

  private generated(name: string, keepers?: Record<string, string>): Password {
    // Letters and digits only: safe in URLs, YAML and shell without quoting.
    return new Password(this, name, { length: 40, special: false, keepers });
  }
}
