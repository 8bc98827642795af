/**
 * `npm run bench -- failover`: how often a client request is lost while one of a model's two
 * deployments fails, for the router settings a stack could choose. Not a speed: a count of lost
 * requests per setting, each measured on its own proxy in the same run, on a machine made busy
 * by two spinning processes (LiteLLM sets a cooldown in a callback that runs after the failed
 * attempt, so a retry can reach the failing deployment again before it is cooled down, and a
 * busy machine widens that window).
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { UpstreamMode } from "../test/e2e/harness/counting-upstream";
import type { LocalImages } from "../test/e2e/harness/images";
import { askMany, startRoutingStack } from "../test/e2e/harness/routing-stack";
import { table } from "./stats";

const PHASES = Math.max(1, Number(process.env.BENCH_FAILOVER_PHASES ?? 6));
const REQUESTS = 30;
const COOLDOWN_SECONDS = 5;

interface Setting {
  readonly label: string;
  readonly router: Record<string, unknown>;
}

const SETTINGS: readonly Setting[] = [
  { label: "numRetries 2, LiteLLM's cooldown rule", router: { numRetries: 2 } },
  { label: "numRetries 3, allowedFails 1", router: { numRetries: 3, allowedFails: 1 } },
  { label: "numRetries 3, allowedFails 0 on the router", router: { numRetries: 3, allowedFails: 0 } },
  { label: "the stack's defaults for a group (3 retries, allowed_fails 0 per deployment)", router: {} },
  { label: "numRetries 10, allowedFails 1", router: { numRetries: 10, allowedFails: 1 } },
];
/** The failure of each phase, in turn. */
const MODES: readonly UpstreamMode[] = ["error", "down", "hang"];

const busy = (): ChildProcess[] => [0, 1].map(() => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchFailover(images: LocalImages): Promise<string> {
  const rows: string[][] = [];
  for (const setting of SETTINGS) {
    const stack = await startRoutingStack(`bench-failover-${Math.random().toString(36).slice(2, 8)}`, images, {
      cooldownSeconds: COOLDOWN_SECONDS,
      timeoutSeconds: 2,
      ...setting.router,
    });
    const burners = busy();
    let lost = 0;
    let sent = 0;
    let hits = 0;
    try {
      for (let phase = 0; phase < PHASES; phase++) {
        const mode = MODES[phase % MODES.length];
        await stack.flaky.setMode("ok");
        await sleep((COOLDOWN_SECONDS + 1) * 1000);
        await stack.flaky.setMode(mode);
        hits += await stack.flaky.count(async () => {
          const answers = await askMany(stack, "failover", REQUESTS);
          sent += answers.length;
          lost += answers.filter((a) => a.status !== 200).length;
        });
      }
    } finally {
      for (const burner of burners) burner.kill("SIGKILL");
      await stack.close();
    }
    rows.push([setting.label, String(sent), String(lost), (lost / sent * 100).toFixed(2), String(hits)]);
  }
  return table(["one of two deployments failing (500, refused, hang), busy machine", "requests", "lost", "lost %", "requests reaching it"], rows);
}
