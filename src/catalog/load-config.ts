/** stack.config.yaml (or $LITELLM_STACK_CONFIG) -> validated StackConfig. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError } from "./config-error";
import { loadPresets, type PresetCatalog } from "./presets";
import { type StackConfig, validateStackConfig } from "./validate";

export const CONFIG_PATH_ENV = "LITELLM_STACK_CONFIG";
export const DEFAULT_CONFIG_FILE = "stack.config.yaml";

/** The configuration file to read: $LITELLM_STACK_CONFIG, else ./stack.config.yaml. */
export function configPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env[CONFIG_PATH_ENV] || DEFAULT_CONFIG_FILE);
}

export function loadStackConfig(
  file = configPath(),
  presets: PresetCatalog = loadPresets(),
  env: NodeJS.ProcessEnv = process.env,
): StackConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConfigError(file, [{ path: "(file)", message: `cannot be read: ${reason}` }]);
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((e) => ({ path: "(file)", message: `malformed YAML: ${e.message.split("\n")[0]}` })),
    );
  }
  return validateStackConfig(document.toJS(), presets, file, env);
}
