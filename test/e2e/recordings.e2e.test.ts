/**
 * The recordings the replay tests serve (test/replay/recorded/litellm-1.108.5/), checked against the
 * real LiteLLM with its real database: every recorded request is sent again, in the recorded
 * session's order, to a fresh proxy configured as the recording was, and its answer must have the
 * recorded status, content type, error type and code, and the same fields. So the replay can never
 * drift from LiteLLM without this suite saying which recording and how.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Deployment, freePort, loadE2EConfig } from "./harness/deployment";
import { assertEngineAnswers, removeLabelled } from "./harness/engine";
import { buildLocalImages } from "./harness/images";

assertEngineAnswers();
const RECORDED = join(__dirname, "..", "replay", "recorded", "litellm-1.108.5");
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

interface Recording {
  readonly request: { readonly method: string; readonly path: string; readonly body?: unknown; readonly auth: string };
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const recording = (name: string): Recording => JSON.parse(readFileSync(join(RECORDED, `${name}.json`), "utf8"));

/** The recorded session's order (its README): state carries over between cases. */
const SESSION = [
  ["health-liveliness", "health-readiness"],
  ["key-generate", "key-generate-caller-chosen-key", "key-generate-duplicate-alias-400", "key-generate-key-too-short-400"],
  ["key-list", "key-list-return-full-object", "key-list-page-1-size-1", "key-list-page-2-size-1", "key-list-page-3-size-1", "key-list-size-100", "key-list-size-101-422"],
  ["key-info", "key-info-by-token-hash", "key-update-by-key-value", "key-update-by-token-hash", "key-update-unknown-404", "key-update-unknown-key-value-404"],
  ["chat-completion", "chat-completion-stream", "chat-completion-no-key-401", "chat-completion-wrong-key-401", "chat-completion-model-not-allowed-403"],
  ["key-generate-tiny-budget", "chat-completion-tiny-budget-first", "chat-completion-over-budget-422", "chat-completion-over-budget-422-stream"],
  ["spend-logs-no-args", "spend-logs-summarize-false", "spend-logs-dates-today-to-today", "spend-logs-dates-today-to-tomorrow", "spend-logs-dates-today-to-tomorrow-summarize-false", "spend-logs-datetime-500", "spend-logs-datetime-z-500", "spend-logs-v2-no-args", "spend-logs-v2-date-only", "spend-logs-v2-dates-page-1-size-2", "spend-logs-v2-dates-page-2-size-2"],
  ["user-info", "global-spend", "key-delete", "key-delete-unknown-404"],
].flat();

/** The shape that the client depends on: status, content type, error type/code/param, and field names (top level and of a list's first item). */
function shapeOf(status: number, contentType: string | undefined, body: unknown): Record<string, unknown> {
  // Summarized spend logs are keyed by the keys' hashes: data, not fields.
  const fieldName = (key: string) => (/^[0-9a-f]{64}$/.test(key) ? "<key hash>" : key);
  const fields = (value: unknown): string[] | string =>
    Array.isArray(value)
      ? `list of ${value.length > 0 ? JSON.stringify(fields(value[0])) : "nothing"}`
      : value && typeof value === "object"
        ? [...new Set(Object.keys(value).map(fieldName))].sort()
        : typeof value;
  const error = (body as { error?: { type?: unknown; code?: unknown; param?: unknown } } | undefined)?.error;
  return {
    status,
    contentType: contentType?.split(";")[0],
    ...(error && typeof error === "object" ? { error: { type: error.type, code: error.code, param: error.param } } : {}),
    fields: fields(body),
  };
}

const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

let deployment: Deployment;
const substitutions = new Map<string, string>();

beforeAll(async () => {
  const images = buildLocalImages();
  const config = loadE2EConfig({
    name: `e2e-rec-${runId}`,
    port: await freePort(),
    databaseEnabled: true,
    // As recorded: one `mock` group priced by the catalog at 0.00001 / 0.00002 USD per token.
    adjust: (raw) => ({ ...raw, models: [{ preset: "mock", cost: { input: 10, output: 20 }, pricing: "catalog" }], router: { numRetries: 0 }, keys: [], openclaw: { primary: "mock" } }),
  });
  deployment = new Deployment(config, config, images);
  await removeLabelled(deployment.labelFilter);
  await deployment.createNetworkAndVolume();
  await deployment.startPostgres();
  await deployment.startLiteLLM();
  substitutions.set("sk-REDACTED-master", deployment.secrets.masterKey);
  // The caller-chosen value (virtual-2) is ours to choose; the generated ones are read from the answers.
  substitutions.set("sk-REDACTED-virtual-2", `sk-e2e-chosen-${runId}-0123456789`);
  substitutions.set("2026-11-29", dayOffset(0));
  substitutions.set("2026-11-30", dayOffset(1));
}, 10 * 60_000);

afterAll(async () => {
  if (deployment) await deployment.destroy();
});

function substitute(text: string): string {
  let out = text;
  for (const [from, to] of substitutions) out = out.split(from).join(to);
  return out;
}

async function send(request: Recording["request"]): Promise<{ status: number; contentType?: string; body: unknown; text: string }> {
  const auth = request.auth === "none" ? undefined : substitute(request.auth);
  const response = await fetch(`${deployment.baseUrl}${substitute(request.path)}`, {
    method: request.method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(request.body !== null && request.body !== undefined ? { "content-type": "application/json" } : {}) },
    body: request.body !== null && request.body !== undefined ? substitute(JSON.stringify(request.body)) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? undefined;
  let body: unknown = text;
  if (contentType?.startsWith("text/event-stream")) {
    body = { sse_data_lines: text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)) };
  } else {
    try {
      body = JSON.parse(text);
    } catch {
      /* kept as text */
    }
  }
  return { status: response.status, contentType, body, text };
}

/** A generated key's value and hash replace the recording's redacted value and recorded hash in later requests. */
function learnKey(name: string, answer: { body: unknown }): void {
  const recordedBody = recording(name).body as { key?: string; token?: string };
  const realBody = answer.body as { key?: string; token?: string };
  if (recordedBody.key && realBody.key) substitutions.set(recordedBody.key, realBody.key);
  if (recordedBody.token && realBody.token) substitutions.set(recordedBody.token, realBody.token);
}

test("every recorded request gets the recorded status, content type, error and fields from the real LiteLLM 1.108.5 with its database", async () => {
  expect(readdirSync(RECORDED).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort()).toEqual([...SESSION].sort());
  const differences: string[] = [];
  for (const name of SESSION) {
    const recorded = recording(name);
    if (name === "spend-logs-no-args") await new Promise((resolve) => setTimeout(resolve, 20_000)); // LiteLLM's batched spend writes, as recorded
    let answer = await send(recorded.request);
    // The budget refusal needs the first call's spend to reach LiteLLM's budget check (a batched write).
    for (let i = 0; name.startsWith("chat-completion-over-budget") && answer.status === 200 && i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      answer = await send(recorded.request);
    }
    if (name.startsWith("key-generate") && answer.status === 200) learnKey(name, answer);
    const want = shapeOf(recorded.status, recorded.headers["content-type"], recorded.body);
    const got = shapeOf(answer.status, answer.contentType, answer.body);
    if (JSON.stringify(want) !== JSON.stringify(got)) differences.push(`${name}:\n  recorded ${JSON.stringify(want)}\n  real     ${JSON.stringify(got)}\n  (${answer.text.slice(0, 300)})`);
  }
  process.stdout.write(`recordings checked against the real proxy: ${SESSION.length}, differing: ${differences.length}\n${differences.join("\n")}\n`);
  expect(differences).toEqual([]);
}, 10 * 60_000);
