/**
 * "Did you mean" for a misspelt key: the keys a schema knows at a path of the configuration, and
 * the one closest to what was written.
 */
import type { z } from "zod";

interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly in?: z.ZodType;
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The object keys the schema accepts at `path` (indices for list items), or [] where it has none. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  let rest = [...path];
  while (current) {
    const def = defOf(current);
    if (["optional", "default", "prefault", "nullable", "readonly", "catch"].includes(def.type) && def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else if (def.type === "array" && typeof rest[0] === "number") {
      current = def.element;
      rest = rest.slice(1);
    } else if (def.type === "object" && def.shape) {
      if (rest.length === 0) return Object.keys(def.shape);
      current = def.shape[String(rest[0])];
      rest = rest.slice(1);
    } else return [];
  }
  return [];
}

/** Levenshtein distance, for words of a few letters. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known key closest to `written` (at most two edits, or the same letters in another case), if any. */
export function closestKey(written: string, known: readonly string[]): string | undefined {
  const scored = known
    .map((key) => ({ key, score: key.toLowerCase() === written.toLowerCase() ? 0 : distance(key.toLowerCase(), written.toLowerCase()) }))
    .filter(({ score }) => score <= Math.min(2, Math.floor(written.length / 2)))
    .sort((a, b) => a.score - b.score);
  return scored[0]?.key;
}
