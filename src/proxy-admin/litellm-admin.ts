/**
 * LiteLLM's management API, as the reconciler and the usage report need it. Every answer is
 * checked against the shape this code relies on (zod, as the configuration is), every exchange is
 * bounded (src/proxy-admin/bounded-http.ts), and every failure becomes an AdminError that says what
 * went wrong in words a user can act on; no key value is ever in one.
 */
import { z } from "zod";
import type { KeySettings } from "../generate/virtual-keys";
import { displayUrl, HttpFailure, redactKeys, requestJson, shapeProblems } from "./bounded-http";
import type { ExistingKey } from "./key-plan";

export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdminError";
  }
}

/** LiteLLM refused an alias that another key on the proxy holds (aliases are unique proxy-wide). */
export class AliasTaken extends AdminError {
  constructor(readonly proxyMessage: string) {
    super(proxyMessage);
    this.name = "AliasTaken";
  }
}

const nullableNumber = z.number().nullable().optional().transform((v) => v ?? null);
const nullableString = z.string().nullable().optional().transform((v) => v ?? null);

/** A key as /key/list?return_full_object=true describes it (LiteLLM 1.108.5, recorded). */
const keySchema = z.object({
  token: z.string().min(1),
  key_alias: nullableString,
  max_budget: nullableNumber,
  budget_duration: nullableString,
  // LiteLLM writes [] for "every model"; null means the same.
  models: z.array(z.string()).nullable().optional().transform((v) => v ?? []),
  rpm_limit: nullableNumber,
  tpm_limit: nullableNumber,
  max_parallel_requests: nullableNumber,
  metadata: z.record(z.string(), z.unknown()).nullable().optional().transform((v) => v ?? null),
  spend: z.number().nullable().optional().transform((v) => v ?? 0),
});

/** GET /key/info?key=<hash>: the row minus its token, with `status` (deleted keys come from LiteLLM's archive). */
const keyInfoSchema = z.object({ info: keySchema.omit({ token: true }).extend({ status: z.string().optional() }) });

const keyListSchema = z.object({
  keys: z.array(keySchema),
  total_pages: z.number().int().nonnegative().nullable().optional(),
});

/** One row of /spend/logs (summarize=false), the fields the report reads. */
const spendLogRowSchema = z.object({
  request_id: nullableString,
  api_key: z.string(),
  status: nullableString,
  request_duration_ms: nullableNumber,
  model: nullableString,
  model_group: nullableString,
  model_id: nullableString,
  spend: nullableNumber,
  total_tokens: nullableNumber,
  prompt_tokens: nullableNumber,
  completion_tokens: nullableNumber,
  startTime: nullableString,
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  // Stored only with general_settings.store_prompts_in_spend_logs (logging.storeRequestBodies).
  // LiteLLM 1.108.5 keeps a request's body in proxy_server_request; `messages` only for realtime calls.
  messages: z.unknown().optional(),
  proxy_server_request: z.unknown().optional(),
  response: z.unknown().optional(),
});
const spendLogsSchema = z.union([z.array(spendLogRowSchema), z.object({ data: z.array(spendLogRowSchema) }).transform((v) => v.data)]);

const readinessSchema = z.object({ db: z.string().optional() });
const errorBodySchema = z.object({ error: z.object({ message: z.string().optional(), type: z.string().nullable().optional() }) });

/** One row of /spend/logs, the fields the report reads. */
export interface SpendLogRow {
  readonly request_id?: string | null;
  readonly api_key: string;
  /** "success" or "failure" (LiteLLM 1.108.5 logs refused and failed requests too). */
  readonly status?: string | null;
  readonly request_duration_ms?: number | null;
  readonly model: string | null;
  readonly model_group?: string | null;
  /** The deployment's model_info.id: the catalog's `<model id>.<deployment id>` on a model with several. */
  readonly model_id?: string | null;
  readonly spend: number | null;
  readonly total_tokens: number | null;
  readonly prompt_tokens?: number | null;
  readonly completion_tokens?: number | null;
  readonly startTime: string | null;
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  /** The request and response, when the stack stores bodies (requestBody() picks the request). */
  readonly messages?: unknown;
  readonly proxy_server_request?: unknown;
  readonly response?: unknown;
}
export interface SpendLogs {
  readonly rows: SpendLogRow[];
  /** LiteLLM returned its maximum and more rows exist (x-litellm-spend-logs-truncated). */
  readonly truncated: boolean;
}

export interface KeyWithSpend extends ExistingKey {
  readonly spend: number;
}

/** Limits: 100 keys a page, so 100 pages is 10,000 keys; spend logs are LiteLLM's 10,000 rows at most. */
export const MAX_KEY_PAGES = 100;
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_SPEND_LOG_BYTES = 64 * 1024 * 1024;

interface CallOptions {
  readonly body?: unknown;
  readonly maxBytes?: number;
  readonly missingIsUndefined?: boolean;
}

export class LiteLLMAdmin {
  /** The proxy's URL as it may be printed. */
  readonly shownUrl: string;

  constructor(
    readonly baseUrl: string,
    private readonly masterKey: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.shownUrl = displayUrl(baseUrl);
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new AdminError(`the proxy URL ${this.shownUrl} is not a URL: check LITELLM_BASE_URL or the stack's base_url output`);
    }
    if (parsed.username || parsed.password) {
      throw new AdminError(`the proxy URL ${this.shownUrl} must not carry credentials: the master key authenticates, set LITELLM_BASE_URL without user:password@`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new AdminError(`the proxy URL ${this.shownUrl} must be http(s)`);
  }

  private async call<S extends z.ZodType>(method: "GET" | "POST", path: string, schema: S, options: CallOptions = {}): Promise<z.output<S>> {
    return (await this.exchange(method, path, schema, options)).data;
  }

  /**
   * A checked request: the parsed body and the answer's headers. With `missingIsUndefined`, a 404 in
   * LiteLLM's error shape gives `data: undefined` (a key that does not exist is an answer, not a failure).
   */
  private async exchange<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    schema: S,
    { body, maxBytes = MAX_BYTES, missingIsUndefined = false }: CallOptions = {},
  ): Promise<{ data: z.output<S>; headers: Readonly<Record<string, string>> }> {
    const endpoint = `${method} ${path.split("?")[0]}`;
    let response;
    try {
      response = await requestJson({
        method,
        url: `${this.baseUrl.replace(/\/$/, "")}${path}`,
        headers: { authorization: `Bearer ${this.masterKey}` },
        body,
        timeoutMs: this.timeoutMs,
        maxBytes,
      });
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      throw new AdminError(`${error.message}: is the stack deployed and the URL right?`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new AdminError(`the proxy at ${this.shownUrl} refused the master key (HTTP ${response.status}) on ${endpoint}: check LITELLM_MASTER_KEY`);
    }
    if (response.status === 404 && missingIsUndefined && errorBodySchema.safeParse(response.json).success) {
      return { data: undefined as z.output<S>, headers: response.headers };
    }
    if (response.status < 200 || response.status >= 300) {
      const error = errorBodySchema.safeParse(response.json);
      if (response.status === 400 && /already exists/i.test(error.data?.error.message ?? "") && path.startsWith("/key/")) {
        throw new AliasTaken(error.data?.error.message ?? "");
      }
      const detail = error.success ? `${error.data.error.type ?? "error"}: ${error.data.error.message ?? ""}` : response.excerpt;
      if (/no connected db|no_db_connection/i.test(detail)) throw noDatabase(this.shownUrl);
      if (/can't reach database server/i.test(detail)) {
        throw new AdminError(`the proxy at ${this.shownUrl} cannot reach its database (${endpoint}, HTTP ${response.status}): check the Postgres container (\`docker logs <stack>-postgres\`)`);
      }
      throw new AdminError(`${endpoint} at ${this.shownUrl} failed with HTTP ${response.status}: ${redactDetail(detail)}`);
    }
    if (response.json === undefined) {
      throw new AdminError(
        `${endpoint} at ${this.shownUrl} answered HTTP ${response.status} with a body that is not JSON (a reverse proxy's error page?): "${response.excerpt}"`,
      );
    }
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) {
      throw new AdminError(`${endpoint} at ${this.shownUrl} answered in an unexpected shape (${shapeProblems(parsed.error)}): is this LiteLLM 1.108.5 or compatible?`);
    }
    return { data: parsed.data, headers: response.headers };
  }

  /** Fails clearly when the proxy has no database: keys and spend logs live there. */
  async requireDatabase(): Promise<void> {
    const readiness = await this.call("GET", "/health/readiness", readinessSchema);
    if (readiness.db !== "connected") throw noDatabase(this.shownUrl, readiness.db);
  }

  /** One key by its hash (LiteLLM's `token`), or undefined when the proxy never had it. */
  async keyInfo(token: string): Promise<(ExistingKey & { readonly spend: number }) | undefined> {
    const result: z.output<typeof keyInfoSchema> | undefined = await this.call("GET", `/key/info?key=${encodeURIComponent(token)}`, keyInfoSchema, {
      missingIsUndefined: true,
    });
    return result ? { ...result.info, token } : undefined;
  }

  /** Every key, once each (offset paging shifts when keys are created meanwhile: duplicates dropped). */
  async listKeys(): Promise<KeyWithSpend[]> {
    const keys = new Map<string, KeyWithSpend>();
    for (let page = 1; ; page++) {
      const result = await this.call("GET", `/key/list?return_full_object=true&size=100&page=${page}`, keyListSchema);
      for (const key of result.keys) keys.set(key.token, key);
      const pages = result.total_pages ?? 1;
      if (page >= pages) return [...keys.values()];
      if (page >= MAX_KEY_PAGES) {
        throw new AdminError(`GET /key/list at ${this.shownUrl} reports ${pages} pages of keys; this command reads at most ${MAX_KEY_PAGES} (${MAX_KEY_PAGES * 100} keys)`);
      }
    }
  }

  async generateKey(body: Record<string, unknown>): Promise<void> {
    await this.call("POST", "/key/generate", z.object({}).loose(), { body });
  }

  async updateKey(token: string, changes: Partial<KeySettings>): Promise<void> {
    await this.call("POST", "/key/update", z.object({}).loose(), { body: { key: token, ...changes } });
  }

  async deleteKey(token: string): Promise<void> {
    await this.call("POST", "/key/delete", z.object({ deleted_keys: z.array(z.string()) }), { body: { keys: [token] } });
  }

  /**
   * Individual spend rows from the first day through the last (YYYY-MM-DD, both included). LiteLLM
   * counts end_date as exclusive (rows before its 00:00 UTC; recorded: spend-logs-dates-today-to-today
   * is empty), so the day after the last is sent.
   */
  async spendLogs(firstDay: string, lastDay: string): Promise<SpendLogs> {
    const query = new URLSearchParams({ start_date: firstDay, end_date: nextDay(lastDay), summarize: "false" });
    const { data, headers } = await this.exchange("GET", `/spend/logs?${query}`, spendLogsSchema, { maxBytes: MAX_SPEND_LOG_BYTES });
    // LiteLLM stops at 10,000 rows without paging and says so only in this header.
    const flag = headers["x-litellm-spend-logs-truncated"];
    return { rows: data, truncated: flag !== undefined && !/^(false|0)$/i.test(flag) };
  }
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** LiteLLM's own error messages can quote what was sent: keep them short and without key values. */
function redactDetail(detail: string): string {
  const redacted = redactKeys(detail);
  return redacted.length > 200 ? `${redacted.slice(0, 200)}…` : redacted;
}

function noDatabase(shownUrl: string, state?: string): AdminError {
  return new AdminError(
    `the proxy at ${shownUrl} has no database connected${state ? ` (readiness: db ${state})` : ""}: ` +
      "virtual keys and spend logs need database.enabled: true and a healthy Postgres",
  );
}
