/** A bounded load on 127.0.0.1: N concurrent clients until the request budget or the time is spent. */
import { percentile } from "./stats";

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export async function load(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  concurrency: number,
  maxRequests: number,
  maxSeconds: number,
): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`load is only ever sent to 127.0.0.1, not ${url}`);
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const deadline = Date.now() + maxSeconds * 1000;
  const payload = JSON.stringify(body);
  const begin = performance.now();
  const client = async () => {
    while (started < maxRequests && Date.now() < deadline) {
      started++;
      const t0 = performance.now();
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: payload,
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        if (!response.ok) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  // In-flight fetches do not keep node alive by themselves (see test/e2e/harness/wait.ts).
  const keepAlive = setInterval(() => undefined, 1000);
  await Promise.all(Array.from({ length: concurrency }, client)).finally(() => clearInterval(keepAlive));
  const seconds = (performance.now() - begin) / 1000;
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
