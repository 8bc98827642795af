/**
 * Desired keys (from the catalog) + keys LiteLLM has -> what to do. Pure: the reconciler only
 * carries these actions out, so every decision is tested without a proxy.
 */
import { createHash } from "node:crypto";
import { type KeySettings, MANAGED_BY } from "../generate/virtual-keys";

/** LiteLLM identifies a key by the sha256 of its value (its `token`). */
export function tokenHash(keyValue: string): string {
  return createHash("sha256").update(keyValue).digest("hex");
}

/** A key as LiteLLM's /key/list (return_full_object) describes it. */
export interface ExistingKey {
  /** LiteLLM's hashed key id. */
  readonly token: string;
  readonly key_alias: string | null;
  readonly max_budget: number | null;
  readonly budget_duration: string | null;
  readonly models: string[];
  readonly rpm_limit: number | null;
  readonly tpm_limit: number | null;
  readonly max_parallel_requests: number | null;
  readonly metadata: Record<string, unknown> | null;
}

export interface DesiredKey {
  readonly settings: KeySettings;
  /** sha256 of the value Terraform holds, to tell whether LiteLLM's key is that key. */
  readonly tokenHash: string;
  readonly value: string;
  readonly expiresAfter?: string;
}

export type KeyAction =
  | { readonly kind: "create"; readonly alias: string; readonly desired: DesiredKey }
  | { readonly kind: "update"; readonly alias: string; readonly token: string; readonly changes: Partial<KeySettings> }
  | { readonly kind: "delete"; readonly alias: string; readonly token: string; readonly reason: string }
  | { readonly kind: "keep"; readonly alias: string };

const OWNED_FIELDS = ["max_budget", "budget_duration", "models", "rpm_limit", "tpm_limit", "max_parallel_requests"] as const;

export function isManagedBy(key: ExistingKey, stackName: string): boolean {
  return key.metadata?.managed_by === MANAGED_BY && key.metadata?.stack === stackName;
}

function changedFields(existing: ExistingKey, wanted: KeySettings): Partial<KeySettings> {
  const changes: Partial<KeySettings> = {};
  for (const field of OWNED_FIELDS) {
    const have = field === "models" ? [...existing.models].sort() : existing[field];
    if (JSON.stringify(have ?? null) !== JSON.stringify(wanted[field])) Object.assign(changes, { [field]: wanted[field] });
  }
  return changes;
}

export function planKeyChanges(stackName: string, desired: readonly DesiredKey[], existing: readonly ExistingKey[]): KeyAction[] {
  const managed = existing.filter((key) => isManagedBy(key, stackName));
  const actions: KeyAction[] = [];
  for (const want of desired) {
    const alias = want.settings.key_alias;
    const matches = managed.filter((key) => key.key_alias === alias);
    const current = matches.find((key) => key.token === want.tokenHash);
    // Same alias, other value (a lost state, a rotated secret): that key is not the one users hold.
    for (const stale of matches.filter((key) => key !== current)) {
      actions.push({ kind: "delete", alias, token: stale.token, reason: "its value is not the one in Terraform state" });
    }
    if (!current) {
      actions.push({ kind: "create", alias, desired: want });
      continue;
    }
    const changes = changedFields(current, want.settings);
    actions.push(Object.keys(changes).length > 0 ? { kind: "update", alias, token: current.token, changes } : { kind: "keep", alias });
  }
  const wantedAliases = new Set(desired.map((d) => d.settings.key_alias));
  for (const key of managed.filter((k) => !wantedAliases.has(k.key_alias ?? ""))) {
    actions.push({ kind: "delete", alias: key.key_alias ?? key.token, token: key.token, reason: "no longer in the configuration" });
  }
  return actions;
}

/** Teardown: every key this stack manages goes. */
export function planKeyTeardown(stackName: string, existing: readonly ExistingKey[]): KeyAction[] {
  return existing
    .filter((key) => isManagedBy(key, stackName))
    .map((key) => ({ kind: "delete", alias: key.key_alias ?? key.token, token: key.token, reason: "the stack is destroyed" }));
}
