/** The stacks running on a Docker host, read from their containers' labels. */
import { experimentPort } from "../catalog/experiment";
import { type ConfigProblem, printable } from "../catalog/config-error";
import type { StackConfig } from "../catalog/validate";
import { LABEL_PREFIX } from "../specs/service-specs";

export interface RunningStack {
  readonly stack: string;
  readonly experiment?: string;
  readonly port?: number;
  readonly url?: string;
  /** The image as configured (`docker ps` shows the id the container was created from). */
  readonly image?: string;
  readonly state: string;
}

/** The host port of a `docker ps` Ports column ("0.0.0.0:4620->4000/tcp, :::4620->4000/tcp"). */
function publishedPort(ports: string | undefined): number | undefined {
  const match = /:(\d+)->/.exec(ports ?? "");
  return match ? Number(match[1]) : undefined;
}

interface PsRow extends RunningStack {
  readonly component?: string;
}

/**
 * `docker ps --format '{{json .}}'` lines of LiteLLM containers (and, for the swarm profile, its
 * load balancer's, which publishes the port: swarm objects carry no port label) -> stacks.
 */
export function parseDockerPs(output: string): RunningStack[] {
  const rows: PsRow[] = output
    .split("\n")
    .filter((line) => line.trim().startsWith("{"))
    .map((line) => {
      const row = JSON.parse(line) as { Labels: string; State?: string; Status?: string; Ports?: string };
      const labels = Object.fromEntries(
        row.Labels.split(",").map((pair) => {
          const at = pair.indexOf("=");
          return [pair.slice(0, at), pair.slice(at + 1)];
        }),
      );
      const port = labels[`${LABEL_PREFIX}.port`] ? Number(labels[`${LABEL_PREFIX}.port`]) : publishedPort(row.Ports);
      return {
        stack: labels[`${LABEL_PREFIX}.stack`],
        component: labels[`${LABEL_PREFIX}.component`],
        ...(labels[`${LABEL_PREFIX}.experiment`] ? { experiment: labels[`${LABEL_PREFIX}.experiment`] } : {}),
        ...(port ? { port } : {}),
        ...(labels[`${LABEL_PREFIX}.url`] ? { url: labels[`${LABEL_PREFIX}.url`] } : {}),
        ...(labels[`${LABEL_PREFIX}.image`] ? { image: labels[`${LABEL_PREFIX}.image`] } : {}),
        state: row.State ?? row.Status ?? "unknown",
      };
    })
    .filter((s) => s.stack !== undefined && (s.component === undefined || s.component === "litellm" || s.component === "load-balancer"));
  return oneRowPerStack(rows).sort((a, b) => a.stack.localeCompare(b.stack));
}

/**
 * A swarm stack has a container per replica (and stopped ones from earlier rollouts), plus its
 * load balancer's: one row, its LiteLLM containers counted, the port from whichever row has it.
 */
function oneRowPerStack(rows: readonly PsRow[]): RunningStack[] {
  const byStack = new Map<string, PsRow[]>();
  for (const row of rows) byStack.set(row.stack, [...(byStack.get(row.stack) ?? []), row]);
  return [...byStack.values()].map((group) => {
    const litellm = group.filter((row) => row.component !== "load-balancer");
    const { component: _component, ...first } = litellm[0] ?? group[0];
    const port = group.find((row) => row.port !== undefined)?.port;
    const merged = { ...first, ...(port !== undefined ? { port } : {}) };
    if (litellm.length <= 1 && group.length === 1) return merged;
    const running = litellm.filter((row) => row.state === "running").length;
    return { ...merged, state: running > 0 ? `${running} running` : (litellm[0] ?? group[0]).state };
  });
}

/** Another stack on the host already holds this stack's port: refused before anything is created. */
export function portClashProblems(config: StackConfig, running: readonly RunningStack[]): ConfigProblem[] {
  return running
    .filter((other) => other.stack !== config.name && other.port === config.litellm.port)
    .map((other) => ({
      path: "litellm.port",
      // Another experiment name helps only where the port comes from the name, not from the file.
      message: `${config.litellm.port} is already published by stack "${other.stack}" on this Docker host: ${
        config.experiment && config.litellm.port === experimentPort(config.name)
          ? "choose another experiment name, or set litellm.port"
          : "choose another litellm.port"
      }`,
    }));
}

/** Aligned columns for people. */
export function formatStacks(stacks: readonly RunningStack[]): string {
  if (stacks.length === 0) return "no LiteLLM stacks on this Docker host";
  const rows = [
    ["STACK", "EXPERIMENT", "URL", "IMAGE", "STATE"],
    // Labels are any container's to set: never let one drive the terminal.
    ...stacks.map((s) => [s.stack, s.experiment ?? "-", s.url ?? (s.port ? `port ${s.port}` : "-"), s.image ?? "-", s.state].map(printable)),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
