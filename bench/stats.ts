/** Small statistics for the benchmark table. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs `fn` once to warm up, then `runs` times; returns the measured values. */
export async function repeat(runs: number, fn: () => Promise<number> | number): Promise<number[]> {
  await fn();
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await fn());
  return values;
}

export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}

/** Milliseconds as seconds for a table cell. */
export const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** A value against its baseline, as the tables print it. */
export const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}x`;
