/**
 * Bursts of requests against a per-minute rate limit. LiteLLM counts a deployment's requests per
 * calendar minute, so a burst that crosses a minute boundary gets two allowances: only what a
 * burst did inside its first minute says whether a limit held. Counting that, rather than
 * requiring the whole burst to be quick, keeps the check true on a loaded machine.
 */

export interface TimedStatus {
  readonly status: number;
  readonly startedMs: number;
  readonly endedMs: number;
}

export interface MinuteCount {
  /** Requests that started and ended inside the burst's first calendar minute. */
  readonly sent: number;
  readonly served: number;
  /** Requests that were neither 200 nor 429: any is a failure of the test. */
  readonly unexpected: readonly number[];
}

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

/** What a burst did inside its first calendar minute (UTC, the same clock LiteLLM's counters use). */
export function firstMinute(samples: readonly TimedStatus[]): MinuteCount {
  const first = Math.min(...samples.map((s) => minuteOf(s.startedMs)));
  const inside = samples.filter((s) => minuteOf(s.startedMs) === first && minuteOf(s.endedMs) === first);
  return {
    sent: inside.length,
    served: inside.filter((s) => s.status === 200).length,
    unexpected: samples.map((s) => s.status).filter((status) => status !== 200 && status !== 429),
  };
}

/** Waits for the next minute unless this one is young, so that most of a burst fits in it. */
export async function earlyInAMinute(latestSecond = 15): Promise<void> {
  const second = new Date().getUTCSeconds();
  if (second > latestSecond) await new Promise((resolve) => setTimeout(resolve, (60 - second) * 1000 + 500));
}

/** `total` requests, `concurrency` at a time, each timed. */
export async function burst(send: () => Promise<number>, total: number, concurrency: number): Promise<TimedStatus[]> {
  const samples: TimedStatus[] = [];
  for (let i = 0; i < total; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, total - i) }, async () => {
      const startedMs = Date.now();
      const status = await send();
      return { status, startedMs, endedMs: Date.now() };
    });
    samples.push(...(await Promise.all(batch)));
  }
  return samples;
}
