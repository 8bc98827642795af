/** Model presets from templates/model-presets.yaml: common models with correct LiteLLM strings and OpenClaw metadata. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "./config-error";
import { type ModelPreset, presetSchema } from "./schema";
import { projectRoot } from "./project-root";

export class PresetCatalog {
  constructor(private readonly presets: ReadonlyMap<string, ModelPreset>) {}

  get(name: string): ModelPreset | undefined {
    return this.presets.get(name);
  }

  names(): string[] {
    return [...this.presets.keys()];
  }
}

export const DEFAULT_PRESETS_FILE = join(projectRoot(), "templates", "model-presets.yaml");

export function loadPresets(file = DEFAULT_PRESETS_FILE): PresetCatalog {
  const raw = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const presets = new Map<string, ModelPreset>();
  const problems = [];
  for (const [name, value] of Object.entries(raw ?? {})) {
    const result = presetSchema.safeParse(value);
    if (result.success) presets.set(name, { name, ...result.data });
    else problems.push(...result.error.issues.map((i) => ({ path: [name, ...i.path].join("."), message: i.message })));
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return new PresetCatalog(presets);
}
