/** Clients that send requests without pause until stopped, counting what failed and which replica answered. */
import { request, Agent } from "node:http";
import { REPLICA_HEADER } from "../../../src/generate/haproxy-config";

export interface LoadReport {
  readonly sent: number;
  readonly failed: number;
  /** The first few failures, for the report. */
  readonly failures: readonly string[];
  readonly replicas: ReadonlyMap<string, number>;
  /** The longest time without a successful answer: how long the proxy was unavailable. */
  readonly longestGapMs: number;
}

export interface ChatTarget {
  readonly baseUrl: string;
  readonly key: string;
  readonly model: string;
}

/** One request; resolves with its status (0: no answer) and the replica header. */
export function chatThrough(target: ChatTarget, agent: Agent | false): Promise<{ status: number; replica?: string; error?: string }> {
  const body = JSON.stringify({ model: target.model, messages: [{ role: "user", content: "hi" }] });
  return new Promise((resolve) => {
    const req = request(
      new URL("/v1/chat/completions", target.baseUrl),
      {
        method: "POST",
        agent,
        timeout: 30_000,
        headers: {
          authorization: `Bearer ${target.key}`,
          "content-type": "application/json",
          ...(agent === false ? { connection: "close" } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, replica: res.headers[REPLICA_HEADER.toLowerCase()] as string | undefined })
        );
      }
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (error) => resolve({ status: 0, error: error.message }));
    req.end(body);
  });
}

export class ContinuousLoad {
  private running = true;
  private sent = 0;
  private failures: string[] = [];
  private failed = 0;
  private readonly replicas = new Map<string, number>();
  private lastSuccess = Date.now();
  private longestGap = 0;
  private readonly done: Promise<void>;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  /**
   * @param keepAlive reuse connections (true) or open one per request (false): a Kubernetes Service
   *   balances connections, not requests, and a stopping pod closes its idle keep-alive connections
   */
  constructor(target: ChatTarget, clients = 8, keepAlive = true) {
    const client = async () => {
      while (this.running) {
        const result = await chatThrough(target, keepAlive ? this.agent : false);
        this.sent++;
        if (result.status === 200) {
          const now = Date.now();
          this.longestGap = Math.max(this.longestGap, now - this.lastSuccess);
          this.lastSuccess = now;
        }
        if (result.status !== 200) {
          this.failed++;
          if (this.failures.length < 5) this.failures.push(`${result.status} ${result.error ?? ""}`.trim());
        }
        if (result.replica) this.replicas.set(result.replica, (this.replicas.get(result.replica) ?? 0) + 1);
      }
    };
    this.done = Promise.all(Array.from({ length: clients }, client)).then(() => undefined);
  }

  async stop(): Promise<LoadReport> {
    this.running = false;
    await this.done;
    this.agent.destroy();
    this.longestGap = Math.max(this.longestGap, Date.now() - this.lastSuccess);
    return { sent: this.sent, failed: this.failed, failures: this.failures, replicas: this.replicas, longestGapMs: this.longestGap };
  }
}
