/**
 * A small OpenAI-compatible model provider run by the suite: it counts the requests it receives
 * and can be told to refuse connections, answer HTTP 500 or hang. It plays an upstream behind
 * the real LiteLLM, never LiteLLM itself.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type UpstreamMode = "ok" | "error" | "hang" | "down";

export class CountingUpstream {
  /** Chat completions received (a refused connection is never received). */
  hits = 0;
  /** Any other request (a model list, a health probe), answered 404 and not counted as a hit. */
  others = 0;
  private mode: UpstreamMode = "ok";
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  /** @param port on every interface, so that containers reach it through their network's gateway */
  constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        if (req.method === "POST" && /\/chat\/completions$/.test(req.url ?? "")) return this.answer(body, res);
        this.others++;
        res.writeHead(404).end();
      });
    });
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "0.0.0.0", () => resolve());
    });
    this.server = server;
  }

  /** "down" closes the port, so that connections are refused; any other mode opens it again. */
  async setMode(mode: UpstreamMode): Promise<void> {
    if (mode === "down" && this.server) await this.close();
    if (mode !== "down" && !this.server) await this.start();
    this.mode = mode;
  }

  /**
   * This upstream as a deployment of the stack's catalog (`id` and model named after it).
   * @param host where LiteLLM's container reaches this machine (a network's gateway)
   */
  deploymentAt(host: string): { id: string; model: string; apiBase: string; apiKeyEnv: string } {
    // Some key is needed for an OpenAI-style deployment; the e2e secrets provide this one.
    return { id: this.name, model: `openai/${this.name}`, apiBase: `http://${host}:${this.port}/v1`, apiKeyEnv: "E2E_DOWN_PROVIDER_KEY" };
  }

  /** Hits during `run`. */
  async count(run: () => Promise<void>): Promise<number> {
    const before = this.hits;
    await run();
    return this.hits - before;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(body: string, res: ServerResponse): void {
    this.hits++;
    if (this.mode === "hang") {
      this.hanging.add(res);
      return;
    }
    if (this.mode === "error") {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `${this.name} fails on purpose`, type: "server_error" } }));
      return;
    }
    const model = (() => {
      try {
        return String(JSON.parse(body).model);
      } catch {
        return "unknown";
      }
    })();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${this.name}-${this.hits}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: "assistant", content: `answered by ${this.name}` }, finish_reason: "stop" }],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      }),
    );
  }
}
