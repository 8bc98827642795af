/** Polls until `probe` returns a value, or fails saying what it waited for and what it last saw. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  // fetch's sockets and AbortSignal.timeout do not keep node alive: without a referenced timer, a
  // plain script (not jest) could exit quietly in the middle of a probe.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what} (last: ${last})`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    clearInterval(keepAlive);
  }
}

export function seconds(fromMs: number): string {
  return `${((Date.now() - fromMs) / 1000).toFixed(1)}s`;
}
