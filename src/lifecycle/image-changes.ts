/**
 * Which of a saved plan's changes could cost the spend database: a new LiteLLM image (a release
 * runs its migrations on the live database, one way) or a new Postgres image (another major
 * version refuses the data directory). Read from Terraform's JSON plan, for both profiles: the
 * container profile's docker_image names, the swarm profile's service images. Pure.
 */
import type { PlanJson } from "./plan-guard";

export type DataComponent = "litellm" | "postgres";

export interface ImageChange {
  readonly component: DataComponent;
  readonly before: string;
  readonly after: string;
}

interface Change {
  readonly address: string;
  readonly change: { readonly actions: readonly string[]; readonly before?: unknown; readonly after?: unknown };
}

/** docker_image.<component>_image_<hash> or docker_service.<component>_service_<hash>. */
const ADDRESS = /^(docker_image|docker_service)\.(litellm|postgres)_(image|service)_[0-9A-F]{8}$/;

function imageOf(type: string, values: unknown): string | undefined {
  if (!values || typeof values !== "object") return undefined;
  if (type === "docker_image") return (values as { name?: string }).name;
  const taskSpec = (values as { task_spec?: { container_spec?: { image?: string }[] }[] }).task_spec;
  return taskSpec?.[0]?.container_spec?.[0]?.image;
}

/** The images the plan moves from one reference to another (a first deploy moves none). */
export function imageChanges(plan: PlanJson): ImageChange[] {
  return ((plan.resource_changes ?? []) as readonly Change[]).flatMap((rc): ImageChange[] => {
    const match = ADDRESS.exec(rc.address);
    // Only what the plan changes: a no-op's values may differ in form only (a digest the engine added).
    if (!match || !rc.change.actions.some((action) => action === "update" || action === "create")) return [];
    // The engine may add a digest to what the state records (name@sha256:...): not a change.
    const before = imageOf(match[1], rc.change.before)?.replace(/@sha256:[0-9a-f]+$/, "");
    const after = imageOf(match[1], rc.change.after)?.replace(/@sha256:[0-9a-f]+$/, "");
    return before && after && before !== after ? [{ component: match[2] as DataComponent, before, after }] : [];
  });
}
