/**
 * Which container images the stack accepts. Pure functions: a reference in, a list of problems out.
 */

/** Host-header auth bypass on management routes was fixed in 1.84.0 (api_base SSRF in 1.83.9). */
export const LITELLM_SECURITY_FLOOR = "1.84.0";

/** PyPI releases that shipped a credential stealer (March 2026). */
export const LITELLM_COMPROMISED_RELEASES: readonly string[] = ["1.82.7", "1.82.8"];

/** Tags that move: a redeploy could silently run different software. */
const MUTABLE_TAGS = new Set(["latest", "main-latest", "main-stable", "stable", "lts", "nightly"]);

export interface ImageReference {
  /** Everything before the tag, registry included. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseImageReference(reference: string): ImageReference {
  const [nameAndTag, digest] = reference.split("@", 2);
  // A ':' after the last '/' separates the tag; one before it belongs to a registry port.
  const lastSlash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.indexOf(":", lastSlash + 1);
  return colon === -1
    ? { repository: nameAndTag, digest }
    : { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
}

/** The release a LiteLLM tag names (`v1.108.5`, `1.108.5`, `v1.83.10-stable`), if any. */
export function liteLLMVersionOfTag(tag: string): string | undefined {
  return /^v?(\d+\.\d+\.\d+)(?:[-.].*)?$/.exec(tag)?.[1];
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Problems with any pinned image: it must name an immutable tag. */
export function imagePinProblems(reference: string): string[] {
  if (!/^[a-z0-9][a-z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/.test(reference)) {
    return [`"${reference}" is not a valid image reference`];
  }
  const { tag } = parseImageReference(reference);
  if (!tag) return [`"${reference}" has no tag: pin a release, e.g. ${reference}:<version>`];
  if (MUTABLE_TAGS.has(tag) || tag.startsWith("main-")) {
    return [`"${reference}" uses the mutable tag "${tag}": pin a release tag instead`];
  }
  return [];
}

/** Problems with the LiteLLM image: pinned, a release tag, at or above the floor, not compromised. */
export function liteLLMImageProblems(reference: string): string[] {
  const pinProblems = imagePinProblems(reference);
  if (pinProblems.length > 0) return pinProblems;
  const tag = parseImageReference(reference).tag as string;
  const version = liteLLMVersionOfTag(tag);
  if (!version) return [`tag "${tag}" names no LiteLLM release: use a tag such as v${LITELLM_SECURITY_FLOOR}`];
  if (LITELLM_COMPROMISED_RELEASES.includes(version)) {
    return [`LiteLLM ${version} is a known compromised release (credential stealer): never deploy it`];
  }
  if (compareVersions(version, LITELLM_SECURITY_FLOOR) < 0) {
    return [`LiteLLM ${version} is below the security floor ${LITELLM_SECURITY_FLOOR} (auth bypass and SSRF fixes)`];
  }
  return [];
}
