/**
 * NOT LiteLLM. A local server that replays the request and response shapes LiteLLM documents for
 * its key-management and spend endpoints (checked against litellm 1.108.5's source), so the HTTP
 * client and the reconciler can be exercised where LiteLLM's database cannot run. Tests that use it
 * say so in their names and never count as proof against LiteLLM itself.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface ReplayKey {
  token: string;
  key_alias: string | null;
  max_budget: number | null;
  budget_duration: string | null;
  models: string[];
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  metadata: Record<string, unknown>;
  spend: number;
}

export class LiteLLMReplay {
  readonly keys = new Map<string, ReplayKey>();
  spendLogs: Record<string, unknown>[] = [];
  dbState = "connected";
  readonly requests: string[] = [];
  private server?: Server;

  constructor(private readonly masterKey: string) {}

  get url(): string {
    const address = this.server?.address();
    if (!address || typeof address === "string") throw new Error("not listening");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://replay");
    this.requests.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/health/readiness") return send(200, { status: "healthy", db: this.dbState });
    if (req.headers.authorization !== `Bearer ${this.masterKey}`) {
      return send(401, { error: { message: "Authentication Error, Invalid proxy server token passed.", type: "auth_error", param: "None", code: "401" } });
    }
    if (this.dbState !== "connected") {
      return send(400, { error: { message: "No connected db.", type: "no_db_connection", param: null, code: "400" } });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};

    if (req.method === "GET" && url.pathname === "/key/list") {
      const size = Number(url.searchParams.get("size") ?? 10);
      const page = Number(url.searchParams.get("page") ?? 1);
      const all = [...this.keys.values()];
      return send(200, {
        keys: all.slice((page - 1) * size, page * size),
        total_count: all.length,
        current_page: page,
        total_pages: Math.ceil(all.length / size),
      });
    }
    if (req.method === "POST" && url.pathname === "/key/generate") {
      const token = createHash("sha256").update(body.key).digest("hex");
      const key: ReplayKey = {
        token,
        key_alias: body.key_alias ?? null,
        max_budget: body.max_budget ?? null,
        budget_duration: body.budget_duration ?? null,
        models: body.models ?? [],
        rpm_limit: body.rpm_limit ?? null,
        tpm_limit: body.tpm_limit ?? null,
        max_parallel_requests: body.max_parallel_requests ?? null,
        metadata: body.metadata ?? {},
        spend: 0,
      };
      this.keys.set(token, key);
      return send(200, { ...key, key: body.key });
    }
    if (req.method === "POST" && url.pathname === "/key/update") {
      const key = this.keys.get(body.key);
      if (!key) return send(404, { error: { message: `Key not found: ${body.key}`, type: "not_found", code: "404" } });
      const { key: _ignored, ...changes } = body;
      Object.assign(key, changes);
      return send(200, key);
    }
    if (req.method === "POST" && url.pathname === "/key/delete") {
      for (const token of body.keys as string[]) this.keys.delete(token);
      return send(200, { deleted_keys: body.keys });
    }
    if (req.method === "GET" && url.pathname === "/spend/logs") return send(200, this.spendLogs);
    return send(404, { detail: "Not Found" });
  }
}
