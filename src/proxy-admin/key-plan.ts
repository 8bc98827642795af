/**
 * Keys the stack wants, keys its state held before, and what the proxy says about each of them
 * -> what to do. Pure: the reconciler only looks keys up and carries these actions out.
 *
 * A key is the stack's when its hash (LiteLLM's `token`, the sha256 of the value) is the hash of
 * a value in the stack's state, now or before this deploy. Never by alias, list position or
 * metadata: those can be copied, shifted or shared with another stack.
 */
import { createHash } from "node:crypto";
import type { KeySettings } from "../generate/virtual-keys";

/** LiteLLM identifies a key by the sha256 of its value (its `token`). */
export function tokenHash(keyValue: string): string {
  return createHash("sha256").update(keyValue).digest("hex");
}

/** A key as LiteLLM describes it (/key/info by hash, /key/list with full objects). */
export interface ExistingKey {
  /** LiteLLM's hashed key id. */
  readonly token: string;
  readonly key_alias: string | null;
  readonly max_budget: number | null;
  readonly budget_duration: string | null;
  readonly models: readonly string[];
  readonly rpm_limit: number | null;
  readonly tpm_limit: number | null;
  readonly max_parallel_requests: number | null;
  readonly metadata: Record<string, unknown> | null;
  /** /key/info: "active", "expired", "revoked" or "deleted" (served from LiteLLM's archive). */
  readonly status?: string;
}

export interface DesiredKey {
  /** The alias in the configuration (`openclaw`); settings.key_alias is the scoped one LiteLLM sees. */
  readonly alias: string;
  readonly settings: KeySettings;
  /** sha256 of the value Terraform holds. */
  readonly tokenHash: string;
  readonly value: string;
  readonly expiresAfter?: string;
}

/** A key the stack's state held and no longer holds (removed from the configuration, or a new value). */
export interface RetiredKey {
  readonly alias: string;
  readonly tokenHash: string;
}

export type KeyAction =
  | { readonly kind: "create"; readonly alias: string; readonly desired: DesiredKey }
  | { readonly kind: "update"; readonly alias: string; readonly token: string; readonly changes: Partial<KeySettings> }
  | { readonly kind: "delete"; readonly alias: string; readonly token: string; readonly reason: string }
  | { readonly kind: "keep"; readonly alias: string };

const OWNED_FIELDS = ["key_alias", "max_budget", "budget_duration", "models", "rpm_limit", "tpm_limit", "max_parallel_requests"] as const;

/** Live on the proxy: found, and not in LiteLLM's archive of deleted keys. */
export function isLive(key: ExistingKey | undefined): key is ExistingKey {
  return key !== undefined && key.status !== "deleted";
}

function changedFields(existing: ExistingKey, wanted: KeySettings): Partial<KeySettings> {
  const changes: Partial<KeySettings> = {};
  for (const field of OWNED_FIELDS) {
    const have = field === "models" ? [...existing.models].sort() : existing[field];
    if (JSON.stringify(have ?? null) !== JSON.stringify(wanted[field])) Object.assign(changes, { [field]: wanted[field] });
  }
  return changes;
}

/**
 * @param onProxy what /key/info said for each hash looked up (absent: not found)
 */
export function planKeyChanges(
  desired: readonly DesiredKey[],
  retired: readonly RetiredKey[],
  onProxy: ReadonlyMap<string, ExistingKey>,
): KeyAction[] {
  const actions: KeyAction[] = [];
  for (const want of desired) {
    const current = onProxy.get(want.tokenHash);
    if (!isLive(current)) {
      actions.push({ kind: "create", alias: want.alias, desired: want });
      continue;
    }
    const changes = changedFields(current, want.settings);
    actions.push(Object.keys(changes).length > 0 ? { kind: "update", alias: want.alias, token: current.token, changes } : { kind: "keep", alias: want.alias });
  }
  const wanted = new Set(desired.map((d) => d.tokenHash));
  const stillAliased = new Set(desired.map((d) => d.alias));
  for (const old of dedupe(retired)) {
    if (wanted.has(old.tokenHash) || !isLive(onProxy.get(old.tokenHash))) continue;
    const reason = stillAliased.has(old.alias) ? "replaced by a new value in Terraform state" : "no longer in the configuration";
    actions.push({ kind: "delete", alias: old.alias, token: old.tokenHash, reason });
  }
  // Deletions first: a replaced key frees its scoped alias before the new one takes it.
  return [...actions.filter((a) => a.kind === "delete"), ...actions.filter((a) => a.kind !== "delete")];
}

/** Teardown: exactly the keys whose values this stack's state holds (or held), if still live. */
export function planKeyTeardown(owned: readonly RetiredKey[], onProxy: ReadonlyMap<string, ExistingKey>): KeyAction[] {
  return dedupe(owned)
    .filter((key) => isLive(onProxy.get(key.tokenHash)))
    .map((key) => ({ kind: "delete", alias: key.alias, token: key.tokenHash, reason: "the stack is destroyed" }));
}

function dedupe<T extends { readonly tokenHash: string }>(keys: readonly T[]): T[] {
  return [...new Map(keys.map((k) => [k.tokenHash, k])).values()];
}
