/**
 * Carries out the key plan against the proxy: looks each of the stack's keys up by its hash,
 * then creates, updates or deletes. Logs aliases and actions, never key values.
 */
import type { StackConfig } from "../catalog/validate";
import { generateKeyBody, keySettings } from "../generate/virtual-keys";
import { type DesiredKey, type ExistingKey, type KeyAction, planKeyChanges, planKeyTeardown, type RetiredKey, tokenHash } from "./key-plan";
import { AdminError, AliasTaken, type LiteLLMAdmin } from "./litellm-admin";
import { readRetiredKeys, writeRetiredKeys } from "./retired-keys";
import { recordRevokedKeys } from "./revoked-keys";
import { forgetRestoredKeys } from "../terraform/restored-keys";

export function desiredKeys(config: StackConfig, values: Readonly<Record<string, string>>): DesiredKey[] {
  return config.keys.map((key) => {
    const value = values[key.alias];
    if (!value) throw new AdminError(`no value for key "${key.alias}" in the stack outputs (virtual_keys): run \`npm run deploy\` first`);
    return { alias: key.alias, settings: keySettings(config.name, key), tokenHash: tokenHash(value), value, expiresAfter: key.expiresAfter };
  });
}

/** alias -> value (a `virtual_keys` output) -> the hashes that make those keys the stack's. */
export function heldKeys(values: Readonly<Record<string, string>>): RetiredKey[] {
  return Object.entries(values).map(([alias, value]) => ({ alias, tokenHash: tokenHash(value) }));
}

/**
 * Keys the state still holds whose alias the configuration no longer declares: the configuration
 * dropped them and no deploy has applied that yet (`keys reconcile` right after the edit).
 */
export function undeclaredKeys(config: Pick<StackConfig, "keys">, values: Readonly<Record<string, string>>): RetiredKey[] {
  const declared = new Set(config.keys.map((key) => key.alias));
  return heldKeys(Object.fromEntries(Object.entries(values).filter(([alias]) => !declared.has(alias))));
}

/** The keys of `before` whose values `after` no longer holds. */
export function retiredKeys(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): RetiredKey[] {
  const kept = new Set(Object.values(after));
  return heldKeys(Object.fromEntries(Object.entries(before).filter(([, value]) => !kept.has(value))));
}

async function lookUp(admin: LiteLLMAdmin, hashes: readonly string[]): Promise<Map<string, ExistingKey>> {
  const found = new Map<string, ExistingKey>();
  for (const hash of new Set(hashes)) {
    const key = await admin.keyInfo(hash);
    if (key) found.set(hash, key);
  }
  return found;
}

async function apply(admin: LiteLLMAdmin, actions: readonly KeyAction[], log: (line: string) => void): Promise<void> {
  for (const action of actions) {
    switch (action.kind) {
      case "create":
        try {
          await admin.generateKey(generateKeyBody(action.desired.settings, action.desired.value, action.desired.expiresAfter));
        } catch (error) {
          if (!(error instanceof AliasTaken)) throw error;
          throw new AdminError(
            `cannot create key "${action.alias}": the proxy already has a key with the alias "${action.desired.settings.key_alias}" that is not this stack's ` +
              "(its value is in no state of this stack; LiteLLM needs aliases unique across the proxy). " +
              "Delete or rename that key in LiteLLM if it is a leftover, or give this key another alias under keys:",
          );
        }
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

/**
 * Brings the proxy's keys in line with the configuration.
 * @param retired keys this stack's state held before this deploy and no longer holds: revoked
 */
export async function reconcileKeys(
  admin: LiteLLMAdmin,
  config: StackConfig,
  values: Readonly<Record<string, string>>,
  retired: readonly RetiredKey[] = [],
  log: (line: string) => void = console.log,
): Promise<KeyAction[]> {
  const desired = desiredKeys(config, values);
  if (desired.length === 0 && retired.length === 0) return [];
  await admin.requireDatabase();
  const onProxy = await lookUp(admin, [...desired.map((d) => d.tokenHash), ...retired.map((r) => r.tokenHash)]);
  const actions = planKeyChanges(desired, retired, onProxy);
  await apply(admin, actions, log);
  return actions;
}

/**
 * Deletes the keys whose values this stack's state holds, and no other.
 * @param retired keys the stack retired earlier and could not revoke yet: they go too
 */
export async function tearDownKeys(
  admin: LiteLLMAdmin,
  values: Readonly<Record<string, string>>,
  log: (line: string) => void = console.log,
  retired: readonly RetiredKey[] = [],
): Promise<KeyAction[]> {
  const owned = [...heldKeys(values), ...retired];
  if (owned.length === 0) return [];
  await admin.requireDatabase();
  const actions = planKeyTeardown(owned, await lookUp(admin, owned.map((k) => k.tokenHash)));
  await apply(admin, actions, log);
  return actions;
}

/**
 * After a deploy (or `keys reconcile`): the configuration's keys in line, and the keys the stack
 * retired revoked, with those its state holds but the configuration no longer declares. What is
 * still to revoke is recorded before trying and cleared once done, so a proxy that cannot be
 * reached now never leaves a retired key alive for good.
 */
export async function reconcileStackKeys(
  admin: LiteLLMAdmin,
  config: StackConfig,
  values: Readonly<Record<string, string>>,
  retiredNow: readonly RetiredKey[],
  projectDir: string,
  log: (line: string) => void = console.log,
): Promise<KeyAction[]> {
  const undeclared = undeclaredKeys(config, values);
  const retired = [...readRetiredKeys(projectDir, config.name), ...retiredNow, ...undeclared];
  writeRetiredKeys(projectDir, config.name, retired);
  // Before revoking: state keeps these values until a deploy, and must never hand them out again.
  recordRevokedKeys(projectDir, config.name, undeclared);
  forgetRestoredKeys(projectDir, config.name, undeclared.map((key) => key.alias));
  const actions = await reconcileKeys(admin, config, values, retired, log);
  writeRetiredKeys(projectDir, config.name, []);
  return actions;
}

/**
 * Teardown's key step: delete the stack's keys (and any it retired earlier), or say why not and let
 * the teardown go on (the keys live in the database, which the teardown removes with its volume).
 */
export async function tearDownKeysOrWarn(
  connect: () => Promise<{ admin: LiteLLMAdmin; values: Readonly<Record<string, string>> }> | { admin: LiteLLMAdmin; values: Readonly<Record<string, string>> },
  projectDir: string,
  stackName: string,
  warn: (line: string) => void = console.warn,
  log: (line: string) => void = console.log,
): Promise<void> {
  try {
    const { admin, values } = await connect();
    await tearDownKeys(admin, values, log, readRetiredKeys(projectDir, stackName));
    writeRetiredKeys(projectDir, stackName, []);
  } catch (error) {
    if (!(error instanceof AdminError)) throw error;
    warn(`warning: virtual keys not deleted (${error.message}); they go with the database volume`);
  }
}

/**
 * The Terraform graph's keys step is going (replaced; or destroyed with the stack): every key it
 * held is recorded as retired, and the reconcile of the step that replaces it revokes those no
 * longer wanted (a value still wanted is kept: planKeyChanges). It needs no proxy, so a destroy
 * never waits on one.
 * @param held alias -> token hash, what the step held
 */
export function retireStepKeys(stackName: string, held: Readonly<Record<string, string>>, projectDir: string): void {
  const all = Object.entries(held).map(([alias, tokenHash]) => ({ alias, tokenHash }));
  writeRetiredKeys(projectDir, stackName, [...readRetiredKeys(projectDir, stackName), ...all]);
}
