import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface LocalImages {
  readonly postgres: string;
  /** Postgres of the next major version (versions.env), for the major version test. */
  readonly postgresNext: string;
  readonly litellm: string;
  /** LiteLLM of the release before the pin (versions.env), for the upgrade test. */
  readonly litellmPrevious: string;
  readonly redis: string;
  readonly haproxy: string;
  /** The CI suite's remote Docker host (dockerd + sshd). */
  readonly remoteEngine: string;
  /** The CI suite's S3-compatible state server (moto). */
  readonly moto: string;
}

/** What the stand-ins are built from: test/e2e/images/versions.env as KEY -> value. */
export function imageVersions(): Readonly<Record<string, string>> {
  return Object.fromEntries(
    readFileSync(join(__dirname, "..", "images", "versions.env"), "utf8")
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split("=", 2) as [string, string]),
  );
}

/**
 * Builds (or reuses, by tag) the local stand-ins for the pinned images: test/e2e/images/build.sh.
 * Synchronous so that the suite can decide at load time what it can run.
 */
export function buildLocalImages(): LocalImages {
  const script = join(__dirname, "..", "images", "build.sh");
  const result = spawnSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 20 * 60_000 });
  if (result.status !== 0) throw new Error(`${script} failed (exit ${result.status ?? result.signal})`);
  const tags = Object.fromEntries(
    result.stdout
      .trim()
      .split("\n")
      .map((line) => line.split("=", 2) as [string, string]),
  );
  return { postgres: tags.POSTGRES_IMAGE, postgresNext: tags.POSTGRES_NEXT_IMAGE, litellm: tags.LITELLM_IMAGE, litellmPrevious: tags.LITELLM_PREVIOUS_IMAGE, redis: tags.REDIS_IMAGE, haproxy: tags.HAPROXY_IMAGE,
    remoteEngine: tags.REMOTE_ENGINE_IMAGE,
    moto: tags.MOTO_IMAGE,
  };
}

/** The stack's image reference -> the local image standing in for it. */
export function mapImage(reference: string, images: LocalImages): string {
  if (reference.includes("litellm")) return images.litellm;
  if (reference.startsWith("postgres:") || reference.includes("/postgres:")) return images.postgres;
  if (reference.startsWith("redis:") || reference.includes("/redis:")) return images.redis;
  if (reference.startsWith("haproxy:") || reference.includes("/haproxy:")) return images.haproxy;
  throw new Error(`no local stand-in for image ${reference}`);
}

/**
 * Puts the local stand-in under the pinned reference a configuration names, as the README's
 * offline path does with `docker load`: the provider then uses it without pulling. An image of that
 * name pulled from a registry (it has a repo digest) is never shadowed: the suite stops instead.
 * @param local the stand-in to tag (default: the one of the pinned version for that image)
 */
export function tagAsPinned(reference: string, images: LocalImages, local = mapImage(reference, images)): string {
  const inspect = (ref: string) =>
    spawnSync("docker", ["image", "inspect", "--format", "{{.Id}} {{len .RepoDigests}}", ref], { encoding: "utf8" }).stdout.trim().split(" ");
  const [localId] = inspect(local);
  const [existingId, digests] = inspect(reference);
  if (existingId && existingId !== localId && Number(digests) > 0) {
    throw new Error(`${reference} on this engine was pulled from a registry: the suite will not shadow it with its stand-in ${local}`);
  }
  const tagged = spawnSync("docker", ["tag", local, reference], { encoding: "utf8" });
  if (tagged.status !== 0) throw new Error(`docker tag ${local} ${reference} failed: ${tagged.stderr}`);
  return reference;
}

/** A local image's id (`sha256:...`): how a configuration names an image built or loaded here (an offline machine). */
export function imageId(reference: string): string {
  const inspected = spawnSync("docker", ["image", "inspect", "--format", "{{.Id}}", reference], { encoding: "utf8" });
  const id = inspected.stdout.trim();
  if (inspected.status !== 0 || !/^sha256:[a-f0-9]{64}$/.test(id)) throw new Error(`docker image inspect ${reference} failed: ${inspected.stderr}`);
  return id;
}
