/** stack.config.yaml (or $LITELLM_STACK_CONFIG) -> validated StackConfig. */
import { readFileSync, statSync } from "node:fs";
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

/** A catalog is a few KiB; anything this large is the wrong file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The text of a UTF-8 file without NUL bytes, or undefined for anything else. */
function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function loadStackConfig(
  file = configPath(),
  presets: PresetCatalog = loadPresets(),
  env: NodeJS.ProcessEnv = process.env,
): StackConfig {
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_CONFIG_BYTES) {
      throw new ConfigError(file, [{ path: "(file)", message: `is larger than ${MAX_CONFIG_BYTES / 1024} KiB: not a stack configuration` }]);
    }
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a folder" : (error as Error).message;
    throw new ConfigError(file, [{ path: "(file)", message: `cannot be read: ${reason}` }]);
  }
  const text = decodeText(bytes);
  if (text === undefined) throw new ConfigError(file, [{ path: "(file)", message: "is not a UTF-8 text file (a binary file?)" }]);
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((e) => ({ path: "(file)", message: `malformed YAML: ${e.message.split("\n")[0]}` })),
    );
  }
  let raw: unknown;
  try {
    // Aliases are capped (the yaml library's guard against "billion laughs" expansions).
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(file, [{ path: "(file)", message: `cannot be read as YAML: ${(error as Error).message}` }]);
  }
  return validateStackConfig(raw, presets, file, env);
}
