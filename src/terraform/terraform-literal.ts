/**
 * Text we generated -> the same text as a Terraform value. In Terraform's JSON syntax every string
 * is a template: `${...}` is an expression and `%{...}` a directive. Left as they are, user text
 * (a mock answer, a URL, OpenClaw's own `${LITELLM_API_KEY}`) would be evaluated by Terraform: plan
 * fails, or worse, the text reads a file or another resource's secret. Escaped, Terraform produces
 * exactly the text we generated.
 */

/** cdktf's placeholder for a reference (`${TfToken[TOKEN.12]}`): the one part that must stay live. */
const CDKTF_TOKEN = /\$\{TfToken\[[^\]]*\]\}/g;

function escapeTemplate(text: string): string {
  // Replacement functions, not strings: "$$" in a replacement string would itself be an escape.
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** Escapes every literal part of `text`, keeping cdktf references (secrets, ids) as references. */
export function terraformLiteral(text: string): string {
  let escaped = "";
  let last = 0;
  for (const token of text.matchAll(CDKTF_TOKEN)) {
    escaped += escapeTemplate(text.slice(last, token.index)) + token[0];
    last = token.index + token[0].length;
  }
  return escaped + escapeTemplate(text.slice(last));
}

/** Go's `time.Duration.String()` for whole seconds: the form kreuzwerker/docker reads durations back in. */
export function goDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`duration must be whole non-negative seconds, got ${seconds}`);
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * The form kreuzwerker/docker reads a service's durations back in (its `shortDur`): Go's form
 * without a trailing zero unit, so `1m0s` is `1m` and `1h0m0s` is `1h`.
 */
export function serviceDuration(seconds: number): string {
  const go = goDuration(seconds);
  const withoutSeconds = go.endsWith("m0s") ? go.slice(0, -2) : go;
  return withoutSeconds.endsWith("h0m") ? withoutSeconds.slice(0, -2) : withoutSeconds;
}
