/**
 * JSON over HTTP for the operations commands, with every limit a misbehaving server or network
 * needs: a deadline for the whole exchange (body included), a cap on the body, no redirects (a
 * redirect to another origin would carry the master key and the request body along), and errors
 * that show the URL without credentials and at most a short, redacted excerpt of what came back.
 */
import { z } from "zod";
import { printable } from "../catalog/config-error";

export class HttpFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpFailure";
  }
}

export interface JsonResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, or undefined when the body is not JSON. */
  readonly json: unknown;
  /** A short excerpt of the body, secrets redacted, safe to print. */
  readonly excerpt: string;
}

/** The URL as it may be shown: no user name or password. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return printable(url.replace(/\/\/[^/@]*@/, "//"));
  }
}

/** Every key value (`sk-...`) in the text, hidden. */
export function redactKeys(text: string): string {
  return text.replace(/sk-[A-Za-z0-9._-]{3,}/g, "sk-…");
}

/** Anything that looks like a key (`sk-...`) or a bearer token, hidden; one line, at most 160 characters. */
export function redactedExcerpt(text: string, max = 160): string {
  const redacted = redactKeys(text).replace(/(bearer\s+)\S+/gi, "$1…");
  const line = printable(redacted.replace(/\s+/g, " ").trim());
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Reads at most `maxBytes` of a body; a larger one is refused rather than held in memory. */
async function readBounded(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw new HttpFailure(`${what} answered with ${declared} bytes, more than the ${maxBytes} this command reads`);
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new HttpFailure(`${what} answered with more than the ${maxBytes} bytes this command reads`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface JsonRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** One request, bounded in time and size; resolves with any HTTP status, rejects with HttpFailure. */
export async function requestJson(request: JsonRequest): Promise<JsonResponse> {
  const shown = displayUrl(request.url);
  const what = `${request.method} ${shown}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: { ...request.headers, ...(request.body !== undefined ? { "content-type": "application/json" } : {}) },
        body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
        redirect: "manual",
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) throw new HttpFailure(`${what} got no answer within ${request.timeoutMs / 1000}s`);
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      throw new HttpFailure(`cannot reach ${shown} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new HttpFailure(`${what} answered with a redirect (HTTP ${response.status}), which is not followed: set the proxy's own URL`);
    }
    let text: string;
    try {
      text = await readBounded(response, request.maxBytes, what);
    } catch (error) {
      if (error instanceof HttpFailure) throw error;
      if (controller.signal.aborted) throw new HttpFailure(`${what} did not finish its answer within ${request.timeoutMs / 1000}s`);
      throw new HttpFailure(`${what}: the answer broke off (${(error as Error).message})`);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return { status: response.status, headers, json, excerpt: redactedExcerpt(text) };
  } finally {
    clearTimeout(timer);
  }
}

/** The first problems of a shape check, as "path: message" without the values (they may be secrets). */
export function shapeProblems(error: z.ZodError, limit = 3): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(body)"}: ${issue.message}`)
    .join("; ");
}
