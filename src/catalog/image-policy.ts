/**
 * Which container images the stack accepts. Pure functions: a reference in, a list of problems out.
 */
import { PINNED_LITELLM_VERSION } from "./pinned-images";

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

/** Tags that name pre-releases or builds that move: never what a deploy should pin. */
const PRERELEASE = /(^|[-._])(rc\d*|alpha\d*|beta\d*|nightly|dev|preview|snapshot|edge|canary|unstable|testing)([-._]|\d|$)/i;

/** A known-good pin to suggest, for the images the stack ships with. */
const SUGGESTIONS: Readonly<Record<string, string>> = {
  postgres: "postgres:16.10",
  "docker.io/library/postgres": "docker.io/library/postgres:16.10",
  haproxy: "haproxy:3.2.6",
};

function suggestionFor(repository: string): string {
  // The image's own name, not a registry or namespace that happens to say litellm.
  if (/(^|\/)litellm[^/]*$/.test(repository)) return `e.g. ${repository}:v${PINNED_LITELLM_VERSION}`;
  const known = SUGGESTIONS[repository];
  return known ? `e.g. ${known}` : `a release tag with its full version (${repository}:<major>.<minor>[.<patch>]) or a digest (${repository}@sha256:<digest>)`;
}

/**
 * A local image by its id (`sha256:<64 hex>`, `docker images --no-trunc`): what pins an image that
 * was built or loaded on the engine and has no registry digest. The provider uses it without pulling.
 */
export function isImageId(reference: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(reference);
}

/**
 * Problems with any pinned image. An image id pins exactly too (isImageId). A digest (`@sha256:...`, with or without a tag) pins exactly and
 * is preferred; otherwise the tag must name a release by its full version (`16.10`, `v1.108.5`,
 * `16.10-bookworm`): not a bare major (`16`), a variant (`alpine`), a moving tag or a pre-release.
 */
export function imagePinProblems(reference: string): string[] {
  if (isImageId(reference)) return [];
  if (!/^[a-z0-9][a-z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/.test(reference)) {
    return [`"${reference}" is not a valid image reference (lowercase name, optional :tag, optional @sha256:<64 hex digits>)`];
  }
  const { repository, tag, digest } = parseImageReference(reference);
  if (digest) return [];
  if (!tag) return [`"${reference}" has no tag: pin a release, ${suggestionFor(repository)}`];
  if (MUTABLE_TAGS.has(tag) || tag.startsWith("main-")) {
    return [`"${reference}" uses the moving tag "${tag}": pin a release, ${suggestionFor(repository)}`];
  }
  if (PRERELEASE.test(tag)) return [`"${reference}" is a pre-release ("${tag}"): pin a release, ${suggestionFor(repository)}`];
  if (!/^v?\d+\.\d+/.test(tag)) {
    return [`"${reference}" uses the tag "${tag}", which moves with every release of its line: pin a full version, ${suggestionFor(repository)}`];
  }
  return [];
}

/** Problems with the LiteLLM image: pinned, a release tag, at or above the floor, not compromised. */
export function liteLLMImageProblems(reference: string): string[] {
  const pinProblems = imagePinProblems(reference);
  if (pinProblems.length > 0) return pinProblems;
  // A digest alone, or an image id, names no version: pinned exactly, the floor cannot be checked.
  if (isImageId(reference)) return [];
  const { repository, tag } = parseImageReference(reference);
  if (!tag) return [];
  const version = liteLLMVersionOfTag(tag);
  if (!version) return [`tag "${tag}" names no LiteLLM release: pin one, e.g. ${repository}:v${PINNED_LITELLM_VERSION}`];
  if (LITELLM_COMPROMISED_RELEASES.includes(version)) {
    return [`LiteLLM ${version} is a known compromised release (credential stealer): never deploy it; e.g. ${repository}:v${PINNED_LITELLM_VERSION}`];
  }
  if (compareVersions(version, LITELLM_SECURITY_FLOOR) < 0) {
    return [`LiteLLM ${version} is below the security floor ${LITELLM_SECURITY_FLOOR} (auth bypass and SSRF fixes): e.g. ${repository}:v${PINNED_LITELLM_VERSION}`];
  }
  return [];
}

/**
 * Redis releases that fix CVE-2025-49844 (remote code execution through Lua, October 2025), per
 * release line. A line not listed below the newest is refused as unsupported; newer lines pass.
 */
export const REDIS_SECURITY_FLOORS: Readonly<Record<string, string>> = {
  "6.2": "6.2.20",
  "7.2": "7.2.11",
  "7.4": "7.4.6",
  "8.0": "8.0.4",
  "8.2": "8.2.2",
};

/** Problems with the Redis image: pinned like any image, and at or above its line's security floor. */
export function redisImageProblems(reference: string): string[] {
  const pinProblems = imagePinProblems(reference);
  if (pinProblems.length > 0 || isImageId(reference)) return pinProblems;
  const { repository, tag } = parseImageReference(reference);
  const version = tag ? /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag) : null;
  if (!tag || !version || !/(^|\/)redis$/.test(repository)) return [];
  const line = `${version[1]}.${version[2]}`;
  const floor = REDIS_SECURITY_FLOORS[line];
  const newest = Object.keys(REDIS_SECURITY_FLOORS).at(-1) as string;
  const release = `${version[1]}.${version[2]}.${version[3]}`;
  if (floor && compareVersions(release, floor) >= 0) return [];
  if (!floor && compareVersions(line, newest) > 0) return [];
  return [`Redis ${release} has CVE-2025-49844 (remote code execution through Lua) or is an unsupported line: e.g. ${repository}:8.2.2`];
}
