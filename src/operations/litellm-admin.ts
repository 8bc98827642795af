/**
 * LiteLLM's management API, as the reconciler and the usage report need it. Every failure becomes
 * an AdminError that says what went wrong in words a user can act on; no key value is ever in one.
 */
import type { ExistingKey } from "./key-plan";
import type { KeySettings } from "../generate/virtual-keys";

export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdminError";
  }
}

/** One row of /spend/logs (summarize=false), the fields the report reads. */
export interface SpendLogRow {
  readonly api_key: string;
  readonly model: string | null;
  readonly model_group?: string | null;
  readonly spend: number | null;
  readonly total_tokens: number | null;
  readonly prompt_tokens?: number | null;
  readonly completion_tokens?: number | null;
  readonly startTime: string | null;
}

export interface KeyWithSpend extends ExistingKey {
  readonly spend: number;
}

export class LiteLLMAdmin {
  constructor(
    readonly baseUrl: string,
    private readonly masterKey: string,
    private readonly timeoutMs = 15_000,
  ) {}

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, "")}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.masterKey}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AdminError(`cannot reach the LiteLLM proxy at ${this.baseUrl} (${(error as Error).cause ?? (error as Error).message}): is the stack deployed and the URL right?`);
    }
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new AdminError(`the proxy at ${this.baseUrl} refused the master key (HTTP ${response.status}): check LITELLM_MASTER_KEY`);
    }
    if (!response.ok) {
      let detail = text.slice(0, 300);
      try {
        detail = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? detail;
      } catch {
        // not JSON: keep the text
      }
      if (/no connected db|no_db_connection/i.test(detail)) throw noDatabase(this.baseUrl);
      throw new AdminError(`${method} ${path} failed with HTTP ${response.status}: ${detail}`);
    }
    return JSON.parse(text) as T;
  }

  /** Fails clearly when the proxy has no database: keys and spend logs live there. */
  async requireDatabase(): Promise<void> {
    const readiness = await this.call<{ db?: string }>("GET", "/health/readiness");
    if (readiness.db !== "connected") throw noDatabase(this.baseUrl, readiness.db);
  }

  async listKeys(): Promise<KeyWithSpend[]> {
    const keys: KeyWithSpend[] = [];
    for (let page = 1; ; page++) {
      const result = await this.call<{ keys: KeyWithSpend[]; total_pages?: number }>(
        "GET",
        `/key/list?return_full_object=true&size=100&page=${page}`,
      );
      keys.push(...result.keys.filter((k) => typeof k === "object"));
      if (!result.total_pages || page >= result.total_pages) return keys;
    }
  }

  async generateKey(body: Record<string, unknown>): Promise<void> {
    await this.call("POST", "/key/generate", body);
  }

  async updateKey(token: string, changes: Partial<KeySettings>): Promise<void> {
    await this.call("POST", "/key/update", { key: token, ...changes });
  }

  async deleteKey(token: string): Promise<void> {
    await this.call("POST", "/key/delete", { keys: [token] });
  }

  /** Individual spend rows between two dates (YYYY-MM-DD, inclusive). */
  async spendLogs(startDate: string, endDate: string): Promise<SpendLogRow[]> {
    const query = new URLSearchParams({ start_date: startDate, end_date: endDate, summarize: "false" });
    const result = await this.call<SpendLogRow[] | { data?: SpendLogRow[] }>("GET", `/spend/logs?${query}`);
    return Array.isArray(result) ? result : (result.data ?? []);
  }
}

function noDatabase(baseUrl: string, state?: string): AdminError {
  return new AdminError(
    `the proxy at ${baseUrl} has no database connected${state ? ` (readiness: db ${state})` : ""}: ` +
      "virtual keys and spend logs need database.enabled: true and a healthy Postgres",
  );
}
