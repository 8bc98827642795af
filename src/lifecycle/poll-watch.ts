/**
 * A watch that asks `probe` every `intervalMs` until it finds something or is stopped. stop() ends
 * the wait between probes and its timer at once: a pending timer would keep the command alive up
 * to an interval after its work.
 */
export interface PollWatch<T> {
  /** Resolves with the first thing found, or undefined once stopped. */
  readonly found: Promise<T | undefined>;
  stop(): void;
}

export function pollUntilStopped<T>(probe: () => Promise<T | undefined>, intervalMs: number): PollWatch<T> {
  let stopped = false;
  let wake: () => void = () => undefined;
  const found = (async (): Promise<T | undefined> => {
    while (!stopped) {
      const result = await probe();
      if (result !== undefined) return result;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return undefined;
  })();
  return {
    found,
    stop() {
      stopped = true;
      wake();
    },
  };
}
