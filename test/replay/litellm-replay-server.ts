/**
 * NOT LiteLLM: a local server that answers with the bodies the real LiteLLM 1.108.5 gave, recorded
 * with its database (test/replay/recorded/), and behaves as LiteLLM's source does where the
 * tests depend on it: /key/list pages by offset, newest first, at most 100 a page (422 above);
 * key aliases are unique across the proxy (400); a caller-chosen key needs 16+ characters and
 * `sk-` (400); /key/info finds a key by value or by hash, and still serves deleted keys from
 * LiteLLM's archive with status "deleted"; unknown keys are 404. Tests that use it say so in their
 * names and never count as proof against LiteLLM itself.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";

const RECORDED = join(__dirname, "recorded", "litellm-1.108.5");

/** One recorded exchange: `{request, status, headers, body}`. */
export function recorded(name: string): { status: number; headers: Record<string, string>; body: any } {
  return JSON.parse(readFileSync(join(RECORDED, `${name}.json`), "utf8"));
}

const hash = (value: string) => createHash("sha256").update(value).digest("hex");
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** The fields a test sets on a key; everything else comes from the recorded row. */
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
  /** Last 4 characters of the value, as LiteLLM shows them (`sk-...abcd`). */
  last4: string;
}

const KEY_ROW = recorded("key-list-return-full-object").body.keys[0];
const KEY_INFO = recorded("key-info-by-token-hash").body.info;
const GENERATED = recorded("key-generate").body;

export class LiteLLMReplay {
  /** Live keys, oldest first (LiteLLM lists newest first). */
  readonly keys: ReplayKey[] = [];
  /** LiteLLM's archive of deleted keys (LiteLLM_DeletedVerificationToken). */
  readonly deleted = new Map<string, ReplayKey>();
  spendLogs: Record<string, unknown>[] = [];
  dbState = "connected";
  /** LiteLLM 1.108.5 returns at most 10,000 spend rows without paging, and flags it in a header. */
  maxSpendRows = 10_000;
  /** Every request, as "METHOD /path?query". */
  readonly requests: string[] = [];
  /** Runs before each answer: lets a test act as another client between two requests. */
  beforeAnswer?: (path: string) => void;
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
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  reset(): void {
    this.keys.length = 0;
    this.deleted.clear();
    this.spendLogs = [];
    this.maxSpendRows = 10_000;
    this.dbState = "connected";
    this.requests.length = 0;
    this.beforeAnswer = undefined;
  }

  /** A key as another client (a person, another stack) would create it with /key/generate. */
  addKey(value: string, fields: Partial<ReplayKey> = {}): ReplayKey {
    const key: ReplayKey = {
      token: hash(value),
      key_alias: null,
      max_budget: null,
      budget_duration: null,
      models: [],
      rpm_limit: null,
      tpm_limit: null,
      max_parallel_requests: null,
      metadata: {},
      spend: 0,
      last4: value.slice(-4),
      ...fields,
    };
    this.keys.push(key);
    return key;
  }

  liveKey(valueOrHash: string): ReplayKey | undefined {
    const token = valueOrHash.startsWith("sk-") ? hash(valueOrHash) : valueOrHash;
    return this.keys.find((k) => k.token === token);
  }

  private row(key: ReplayKey): Record<string, unknown> {
    return { ...clone(KEY_ROW), ...key, key_name: `sk-...${key.last4}`, last4: undefined };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://replay");
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
    this.beforeAnswer?.(url.pathname);

    if (url.pathname === "/health/readiness") return send(200, { ...recorded("health-readiness").body, db: this.dbState });
    if (req.headers.authorization !== `Bearer ${this.masterKey}`) {
      const refused = recorded("chat-completion-wrong-key-401");
      return send(refused.status, refused.body);
    }
    if (this.dbState !== "connected") {
      return send(400, { error: { message: "No connected db.", type: "no_db_connection", param: null, code: "400" } });
    }

    if (req.method === "GET" && url.pathname === "/key/list") {
      const size = Number(url.searchParams.get("size") ?? 10);
      if (size > 100) {
        const tooMany = recorded("key-list-size-101-422");
        return send(tooMany.status, tooMany.body);
      }
      const page = Number(url.searchParams.get("page") ?? 1);
      const newestFirst = [...this.keys].reverse();
      return send(200, {
        keys: newestFirst.slice((page - 1) * size, page * size).map((k) => this.row(k)),
        total_count: newestFirst.length,
        current_page: page,
        total_pages: Math.ceil(newestFirst.length / size),
      });
    }
    if (req.method === "GET" && url.pathname === "/key/info") {
      const asked = url.searchParams.get("key") ?? "";
      const token = asked.startsWith("sk-") ? hash(asked) : asked;
      const live = this.keys.find((k) => k.token === token);
      const archived = this.deleted.get(token);
      const key = live ?? archived;
      // Not recorded; the body LiteLLM 1.108.5's info_key_fn raises (key_management_endpoints.py).
      if (!key) return send(404, { error: { message: "Key not found in database", type: "not_found_error", param: "key", code: "404" } });
      const { token: _t, ...info } = this.row(key);
      return send(200, { key: asked, info: { ...clone(KEY_INFO), ...info, status: live ? "active" : "deleted" } });
    }
    if (req.method === "POST" && url.pathname === "/key/generate") {
      if (body.key !== undefined && (typeof body.key !== "string" || body.key.length < 16 || !body.key.startsWith("sk-"))) {
        const short = recorded("key-generate-key-too-short-400");
        return send(short.status, short.body);
      }
      if (body.key_alias && this.keys.some((k) => k.key_alias === body.key_alias)) return send(400, duplicateAlias(body.key_alias));
      const value: string = body.key ?? `sk-${randomBytes(11).toString("base64url")}`;
      const key = this.addKey(value, {
        key_alias: body.key_alias ?? null,
        max_budget: body.max_budget ?? null,
        budget_duration: body.budget_duration ?? null,
        models: body.models ?? [],
        rpm_limit: body.rpm_limit ?? null,
        tpm_limit: body.tpm_limit ?? null,
        max_parallel_requests: body.max_parallel_requests ?? null,
        metadata: body.metadata ?? {},
      });
      return send(200, { ...clone(GENERATED), ...this.row(key), key: value, token: key.token });
    }
    if (req.method === "POST" && url.pathname === "/key/update") {
      const key = this.liveKey(String(body.key ?? ""));
      if (!key) {
        const unknown = recorded("key-update-unknown-404");
        return send(unknown.status, unknown.body);
      }
      if (body.key_alias && this.keys.some((k) => k !== key && k.key_alias === body.key_alias)) return send(400, duplicateAlias(body.key_alias));
      const { key: _ignored, ...changes } = body;
      Object.assign(key, changes);
      return send(200, { ...clone(recorded("key-update-by-token-hash").body), ...this.row(key), key: body.key });
    }
    if (req.method === "POST" && url.pathname === "/key/delete") {
      const found = (body.keys as string[]).map((k) => this.liveKey(k));
      if (found.some((k) => !k)) {
        const unknown = recorded("key-delete-unknown-404");
        return send(unknown.status, unknown.body);
      }
      for (const key of found as ReplayKey[]) {
        this.keys.splice(this.keys.indexOf(key), 1);
        this.deleted.set(key.token, key);
      }
      return send(200, { deleted_keys: body.keys });
    }
    if (req.method === "GET" && url.pathname === "/spend/logs") {
      const rows = this.spendLogsFor(url.searchParams);
      if (rows.length <= this.maxSpendRows) return send(200, rows);
      return send(200, rows.slice(0, this.maxSpendRows), { "x-litellm-spend-logs-truncated": "true" });
    }
    return send(404, { detail: "Not Found" });
  }

  /**
   * /spend/logs as 1.108.5 filters it: start_date from 00:00 UTC, end_date up to 00:00 UTC of that
   * day (exclusive), as recorded in spend-logs-dates-today-to-today (empty) and -to-tomorrow.
   */
  private spendLogsFor(query: URLSearchParams): Record<string, unknown>[] {
    const start = query.get("start_date");
    const end = query.get("end_date");
    if (!start || !end) return this.spendLogs;
    const from = Date.parse(`${start}T00:00:00Z`);
    const to = Date.parse(`${end}T00:00:00Z`);
    return this.spendLogs.filter((row) => {
      const at = Date.parse(String(row.startTime));
      return at >= from && at < to;
    });
  }
}

function duplicateAlias(alias: string) {
  const recordedBody = recorded("key-generate-duplicate-alias-400").body;
  return { error: { ...recordedBody.error, message: recordedBody.error.message.replace("'openclaw'", `'${alias}'`) } };
}
