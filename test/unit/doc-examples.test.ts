/**
 * Every YAML example in README.md and docs/ that shows stack.config.yaml (whole, or a few of its
 * sections) is valid against the schema, so a documented example can never be refused. A fragment
 * is completed with a minimal catalog where it shows none. Blocks of another file (a workflow's
 * steps) are named here, and nothing else is skipped.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { stackConfigSchema } from "../../src/catalog/schema";
import { validateStackConfig } from "../../src/catalog/validate";
import { presets } from "./helpers";

const root = join(__dirname, "..", "..");
const documents = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
/** Keys that mark a GitHub Actions workflow fragment (the OpenTofu steps of the example workflow). */
const WORKFLOW_KEYS = ["steps", "jobs", "on", "runs-on"];

const blocks = documents.flatMap((doc) =>
  [...readFileSync(join(root, doc), "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)].map((m, i) => ({ name: `${doc} #${i + 1}`, text: m[1] })),
);

test("the documents hold YAML examples (the scan finds them)", () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

test.each(blocks.map((b) => [b.name, b.text]))("%s is valid against the schema, or is a workflow fragment", (_name, text) => {
  const value = parse(text) as Record<string, unknown>;
  const keys = Object.keys(value);
  if (keys.some((key) => WORKFLOW_KEYS.includes(key))) {
    expect(keys.every((key) => !Object.hasOwn(stackConfigSchema.shape, key) || key === "env")).toBe(true);
    return;
  }
  expect(keys.filter((key) => !Object.hasOwn(stackConfigSchema.shape, key))).toEqual([]);
  const base = value.models ? {} : { models: [{ preset: "mock" }], openclaw: { primary: "mock" } };
  expect(() => validateStackConfig({ ...base, ...value }, presets, _name)).not.toThrow();
});
