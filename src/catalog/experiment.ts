/** Disposable experiments: several stacks side by side on one Docker host. */
import { createHash } from "node:crypto";

export const EXPERIMENT_ENV = "EXPERIMENT";

/** Experiments get host ports from this range, clear of the dev box's 4000. */
export const EXPERIMENT_PORTS = { first: 41000, count: 4000 } as const;

/**
 * A host port derived from the stack name: the same experiment keeps its port across redeploys,
 * and different experiments almost never meet (a clash is refused before deploying).
 */
export function experimentPort(stackName: string): number {
  const hash = createHash("sha256").update(stackName).digest().readUInt32BE(0);
  return EXPERIMENT_PORTS.first + (hash % EXPERIMENT_PORTS.count);
}
