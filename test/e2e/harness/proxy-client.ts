/** Minimal OpenAI-style calls to the proxy over 127.0.0.1, with a time limit on each. */
export interface ChatResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

/**
 * fetch, once more when a pooled keep-alive socket turns out closed before the request was sent: a
 * test that blocks the event loop (spawnSync of the OpenClaw CLI, ~30 s) keeps undici from seeing
 * the server close it, and the next request then fails at once with "other side closed".
 */
async function fetchFresh(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code !== "UND_ERR_SOCKET" || !/other side closed/.test(cause.message ?? "")) throw error;
    return fetch(url, init);
  }
}

export async function chat(
  baseUrl: string,
  key: string | undefined,
  body: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<ChatResult> {
  const response = await fetchFresh(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: body.stream ? text : JSON.parse(text) };
}

/** The text of a streamed answer, from its SSE `data:` chunks. */
export function streamedText(sse: string): { text: string; done: boolean } {
  const lines = sse.split("\n").filter((l) => l.startsWith("data: "));
  const done = lines.at(-1) === "data: [DONE]";
  const text = lines
    .slice(0, done ? -1 : undefined)
    .map((l) => JSON.parse(l.slice("data: ".length)).choices?.[0]?.delta?.content ?? "")
    .join("");
  return { text, done };
}

export async function getJson(url: string, timeoutMs = 10_000): Promise<{ status: number; body: any }> {
  const response = await fetchFresh(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.json() };
}
