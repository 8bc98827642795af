import { loadPresets } from "../../src/catalog/presets";
import type { StackConfigInput } from "../../src/catalog/schema";
import { type StackConfig, validateStackConfig } from "../../src/catalog/validate";

export const presets = loadPresets();

/** A small valid configuration; tests spread their changes over it. */
export function configInput(overrides: Record<string, unknown> = {}): StackConfigInput & Record<string, unknown> {
  return {
    name: "unit",
    models: [{ preset: "claude-opus-4-6" }, { preset: "gpt-4o" }, { preset: "mock" }],
    router: { fallbacks: { "claude-opus-4-6": ["gpt-4o"] } },
    openclaw: { primary: "claude-opus-4-6" },
    ...overrides,
  };
}

export function validConfig(overrides: Record<string, unknown> = {}): StackConfig {
  return validateStackConfig(configInput(overrides), presets, "test");
}

/** The problems validation reports, as "path: message" lines. */
export function problemsOf(raw: unknown): string[] {
  try {
    validateStackConfig(raw, presets, "test");
  } catch (error) {
    const problems = (error as { problems?: { path: string; message: string }[] }).problems;
    if (!problems) throw error;
    return problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected validation to fail, but the configuration was accepted");
}
