/**
 * Has Terraform itself evaluate the strings of a synthesized stack, with no provider installed.
 * Every resource body and output goes into an output of a provider-free configuration; references
 * to provider resources (random_password.x.result, docker_image.x.image_id, ...) become variables
 * with values the test chooses. `terraform apply` then renders every template exactly as a real
 * plan would, so a `${...}` or `%{...}` that escaped our escaping shows up as a difference.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const terraformBinary = process.env.TERRAFORM_BINARY_NAME || "terraform";
export const terraformAvailable = spawnSync(terraformBinary, ["version"], { encoding: "utf8" }).status === 0;

const PROVIDER_REFERENCE = /\b((?:random|docker)_[a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\b/g;
// Provisioners too: their commands run, and a destroy-time one may refer only to `self`.
const META_ARGUMENTS = ["depends_on", "lifecycle", "provider", "count", "for_each", "provisioner"];

export interface Evaluated {
  /** resource type -> logical name -> the body as Terraform evaluated it. */
  readonly resources: Record<string, Record<string, any>>;
  readonly outputs: Record<string, unknown>;
}

/**
 * @param referenceValue the value a provider attribute stands for, e.g. ("random_password", "x", "result") -> "R"
 * @param variables values of the stack's own variables (TF_VAR_*)
 */
export function evaluateWithTerraform(
  stackJson: string,
  referenceValue: (type: string, name: string, attribute: string) => string,
  variables: Record<string, string> = {},
): Evaluated {
  const stack = JSON.parse(stackJson);
  const references = new Map<string, string>();
  const rewrite = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value).replace(PROVIDER_REFERENCE, (_all, type: string, name: string, attribute: string) => {
        const variable = `ref_${type}_${name}_${attribute}`.replace(/-/g, "_");
        references.set(variable, referenceValue(type, name, attribute));
        return `var.${variable}`;
      }),
    );
  // Sensitive, as secrets are (`output -json` still shows them).
  const output: Record<string, { value: unknown; sensitive: boolean }> = {};
  for (const [type, byName] of Object.entries<Record<string, Record<string, unknown>>>(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const plain = Object.fromEntries(Object.entries(body).filter(([key]) => !META_ARGUMENTS.includes(key)));
      output[`resource__${type}__${name}`] = { value: rewrite(plain), sensitive: true };
    }
  }
  for (const [name, body] of Object.entries<Record<string, unknown>>(stack.output ?? {})) {
    output[`output__${name}`] = { value: rewrite(body.value), sensitive: true };
  }
  const locals = stack.locals ? { locals: rewrite(stack.locals) } : {};
  const variable: Record<string, unknown> = {};
  for (const [name, body] of Object.entries<Record<string, unknown>>(stack.variable ?? {})) {
    variable[name] = { type: body.type, default: body.default, sensitive: false };
  }
  for (const [name, value] of references) variable[name] = { type: "string", default: value };

  const dir = mkdtempSync(join(tmpdir(), "tf-evaluate-"));
  try {
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ variable, output, ...locals }));
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      CHECKPOINT_DISABLE: "1",
      ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [`TF_VAR_${name}`, value])),
    };
    const run = (args: string[]) => {
      const result = spawnSync(terraformBinary, args, { cwd: dir, encoding: "utf8", env, timeout: 120_000 });
      if (result.status !== 0) throw new Error(`${terraformBinary} ${args[0]} failed:\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    };
    run(["init", "-input=false", "-no-color"]);
    run(["apply", "-auto-approve", "-input=false", "-no-color"]);
    const values = JSON.parse(run(["output", "-json"])) as Record<string, { value: unknown }>;
    const evaluated: Evaluated = { resources: {}, outputs: {} };
    for (const [key, { value }] of Object.entries(values)) {
      const [kind, a, b] = key.split("__");
      if (kind === "output") (evaluated.outputs as Record<string, unknown>)[a] = value;
      else ((evaluated.resources as Record<string, Record<string, unknown>>)[a] ??= {})[b] = value;
    }
    return evaluated;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
