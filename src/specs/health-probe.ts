/**
 * LiteLLM's healthcheck: a Python probe of `/health/liveliness` (the image has python3 but neither
 * curl nor wget; liveliness needs no key and no database).
 *
 * Docker runs the next probe an interval after the last one ended, and engines before API 1.44 have
 * no `start_interval`: with a 3 s interval, "healthy" (what Terraform's `wait` and swarm's rolling
 * update wait for) lagged "serving" by up to 3 s on every start. So while the container is young
 * (its process started less than `startPeriodSeconds` ago), a probe keeps asking every 0.1 s for up
 * to `patienceSeconds` instead of failing at once: "healthy" then follows "serving" within ~0.1 s.
 * Once started, a probe asks once, as before, so a hung proxy is found as quickly as ever.
 */
export interface LivelinessProbeOptions {
  readonly port: number;
  /** How long a probe of a young container keeps asking. */
  readonly patienceSeconds: number;
  /** A container whose process is younger than this is young (the healthcheck's start period). */
  readonly startPeriodSeconds: number;
  /** Each request's own timeout. */
  readonly requestTimeoutSeconds: number;
}

/** The probe's Python source, for `["CMD", "python3", "-c", source]`. */
export function livelinessProbe(options: LivelinessProbeOptions): string {
  const { port, patienceSeconds, startPeriodSeconds, requestTimeoutSeconds } = options;
  return [
    "import os, time, urllib.request",
    // The container's age: now minus its PID 1's start (field 22 of /proc/1/stat, in clock ticks).
    "age = float(open('/proc/uptime').read().split()[0]) - int(open('/proc/1/stat').read().rsplit(')', 1)[1].split()[19]) / os.sysconf('SC_CLK_TCK')",
    `deadline = time.monotonic() + (${patienceSeconds} if age < ${startPeriodSeconds} else 0)`,
    "while True:",
    "    try:",
    `        urllib.request.urlopen('http://127.0.0.1:${port}/health/liveliness', timeout=${requestTimeoutSeconds})`,
    "        break",
    "    except Exception:",
    "        if time.monotonic() >= deadline:",
    "            raise",
    "        time.sleep(0.1)",
  ].join("\n");
}
