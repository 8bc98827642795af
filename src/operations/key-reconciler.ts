/** Carries out the key plan against the proxy. Logs aliases and actions, never key values. */
import type { StackConfig } from "../catalog/validate";
import { generateKeyBody, keySettings } from "../generate/virtual-keys";
import { type DesiredKey, type KeyAction, planKeyChanges, planKeyTeardown, tokenHash } from "./key-plan";
import { AdminError, type LiteLLMAdmin } from "./litellm-admin";

export function desiredKeys(config: StackConfig, values: Readonly<Record<string, string>>): DesiredKey[] {
  return config.keys.map((key) => {
    const value = values[key.alias];
    if (!value) throw new AdminError(`no value for key "${key.alias}" in the stack outputs (virtual_keys): deploy the stack first`);
    return { settings: keySettings(config.name, key), tokenHash: tokenHash(value), value, expiresAfter: key.expiresAfter };
  });
}

async function apply(admin: LiteLLMAdmin, actions: readonly KeyAction[], log: (line: string) => void): Promise<void> {
  for (const action of actions) {
    switch (action.kind) {
      case "create":
        await admin.generateKey(generateKeyBody(action.desired.settings, action.desired.value, action.desired.expiresAfter));
        log(`created key ${action.alias}`);
        break;
      case "update":
        await admin.updateKey(action.token, action.changes);
        log(`updated key ${action.alias}: ${Object.keys(action.changes).join(", ")}`);
        break;
      case "delete":
        await admin.deleteKey(action.token);
        log(`deleted key ${action.alias} (${action.reason})`);
        break;
      case "keep":
        log(`key ${action.alias} is up to date`);
        break;
    }
  }
}

/** Brings the proxy's keys in line with the configuration. */
export async function reconcileKeys(
  admin: LiteLLMAdmin,
  config: StackConfig,
  values: Readonly<Record<string, string>>,
  log: (line: string) => void = console.log,
): Promise<KeyAction[]> {
  await admin.requireDatabase();
  const actions = planKeyChanges(config.name, desiredKeys(config, values), await admin.listKeys());
  await apply(admin, actions, log);
  return actions;
}

/** Deletes every key the stack manages. */
export async function tearDownKeys(admin: LiteLLMAdmin, config: StackConfig, log: (line: string) => void = console.log) {
  await admin.requireDatabase();
  const actions = planKeyTeardown(config.name, await admin.listKeys());
  await apply(admin, actions, log);
  return actions;
}

/**
 * Teardown's key step: delete the stack's keys, or say why not and let the teardown go on (the
 * keys live in the database, which the teardown removes with its volume).
 */
export async function tearDownKeysOrWarn(admin: () => LiteLLMAdmin, config: StackConfig, warn: (line: string) => void = console.warn): Promise<void> {
  if (config.keys.length === 0) return;
  try {
    await tearDownKeys(admin(), config);
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    warn(`warning: virtual keys not deleted (${error.message}); they go with the database volume`);
  }
}
