/**
 * The names a user's deploy resolves (ghcr.io/berriai/litellm-database:v1.108.5, postgres:16.10,
 * ...) that the suites point at their stand-ins while they run (tagAsPinned), and the images they
 * build under such names (a release that exits on purpose). After a run each such name is given
 * back what it named before, or removed: a developer who runs the suites and then `npm run
 * deploy` must never get a stand-in (a Debian PostgreSQL 15 under postgres:16.10 would even
 * write a data directory a real 16 refuses).
 */
import { spawnSync } from "node:child_process";

/** The suite's own repository: its stand-ins are built under it (test/e2e/images/build.sh). */
const OWN_REPOSITORY = "litellm-stack-e2e/";
/** Names the suites give images they build themselves (`...:v1.108.5-broken-e2e`, `...-e2e-retag`). */
const SUITE_TAG = /-e2e(-|$)/;

/** name:tag -> image id, for every tagged image on the local engine. */
export function imageTags(): Map<string, string> {
  const listed = spawnSync("docker", ["images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"], { encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`docker images failed: ${listed.stderr}`);
  return new Map(
    listed.stdout
      .split("\n")
      .filter((line) => line && !line.includes("<none>"))
      .map((line) => line.split(" ") as [string, string]),
  );
}

export type NameAction = { readonly kind: "untag"; readonly name: string } | { readonly kind: "retag"; readonly name: string; readonly id: string };

/**
 * What gives every name back: a name outside the suite's repository that now names a stand-in, or
 * that the suite made, returns to the image it named before the run, or goes.
 */
export function restoreActions(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): NameAction[] {
  const standIns = new Set([...after].filter(([name]) => name.startsWith(OWN_REPOSITORY)).map(([, id]) => id));
  return [...after].flatMap(([name, id]): NameAction[] => {
    if (name.startsWith(OWN_REPOSITORY) || !(standIns.has(id) || SUITE_TAG.test(name))) return [];
    const previous = before.get(name);
    if (previous === id) return SUITE_TAG.test(name) || standIns.has(previous) ? [{ kind: "untag", name }] : [];
    return previous && !standIns.has(previous) ? [{ kind: "retag", name, id: previous }] : [{ kind: "untag", name }];
  });
}

/** Carries the actions out; returns one line per name, for the run's log. */
export function restoreImageNames(before: ReadonlyMap<string, string>): string[] {
  return restoreActions(before, imageTags()).map((action) => {
    const args = action.kind === "retag" ? ["tag", action.id, action.name] : ["rmi", "--no-prune", action.name];
    const result = spawnSync("docker", args, { encoding: "utf8" });
    const done = action.kind === "retag" ? `${action.name} names its image from before the run again` : `${action.name} removed`;
    return result.status === 0 ? done : `${action.name}: docker ${args[0]} failed: ${result.stderr.trim()}`;
  });
}
