/**
 * Terraform's (or OpenTofu's) output of a failed step -> the cause in one line and what to do next.
 * The program prints the real reason among many lines (and the provider wraps Docker's); the user's
 * last lines should say it plainly, naming the program that ran. Pure: tested on the texts
 * Terraform, OpenTofu and the provider print.
 */
import { binaryOf, type TerraformBinary } from "./terraform-binary";

export interface FailureDiagnosis {
  readonly cause: string;
  readonly next: string;
}

/** A diagnosis, or one that depends on the program that ran. */
type Diagnosis = FailureDiagnosis | ((binary: TerraformBinary) => FailureDiagnosis);

// Both programs wrap their messages at 80 columns: a phrase may span lines, hence \s+ between words.
const KNOWN_FAILURES: readonly { readonly pattern: RegExp; readonly diagnosis: Diagnosis }[] = [
  {
    // OpenTofu's and Terraform's words when the mirror has no such provider (recorded on this machine).
    pattern: /was\s+not\s+found\s+in\s+any\s+of\s+the\s+search\s+locations/,
    diagnosis: ({ command, product, registry }) => ({
      cause: `the provider mirror that TF_CLI_CONFIG_FILE names has no ${registry}/kreuzwerker/docker or hashicorp/random, which ${product} looks for`,
      next:
        `lay the mirror out for ${registry} (\`${command} providers mirror DIR\` in cdktf.out/stacks/<stack> on a connected machine), ` +
        "or use one configuration that serves both registries (README, \"Offline machines\")",
    }),
  },
  {
    pattern: /could\s+not\s+connect\s+to\s+registry\.(terraform\.io|opentofu\.org)|Failed to query available provider packages|Failed to install provider|Failed to resolve provider packages/,
    diagnosis: ({ command, product, registry }) => ({
      cause: `${product} could not download its providers (kreuzwerker/docker, hashicorp/random): ${registry} is not reachable`,
      next:
        `on a machine without the registry, use a provider mirror: \`${command} providers mirror DIR\` in cdktf.out/stacks/<stack> on a connected machine, ` +
        `copy DIR over, and point TF_CLI_CONFIG_FILE at a file with provider_installation { filesystem_mirror { path = "DIR" } } (README, "Offline machines"` +
        (product === "OpenTofu" ? `: ${product} asks for ${registry}/..., which a mirror made for Terraform alone does not serve)` : ")"),
    }),
  },
  {
    pattern: /Backend configuration changed|Backend initialization required|backend.*has changed/i,
    diagnosis: ({ product }) => ({
      cause: `the state backend in the configuration is not the one ${product} last used`,
      next: "move the existing state with `npm run deploy -- -migrate-state -force-copy` (or start afresh with `-reconfigure` if the old state is gone on purpose)",
    }),
  },
  {
    pattern: /Error acquiring the state lock/,
    diagnosis: ({ command, product }) => ({
      cause: "another run holds this stack's state lock (a deploy or destroy of the same stack from another checkout or CI job)",
      next:
        `let it finish, then run again; if no run is active any more (a killed job), release the lock with \`${command} force-unlock <ID>\` ` +
        `in cdktf.out/stacks/<stack> (the ID and who holds it are in ${product}'s message above)`,
    }),
  },
  {
    pattern: /Cannot connect to the Docker daemon|Error pinging Docker server|error during connect|Is the docker daemon running/i,
    diagnosis: {
      cause: "no Docker Engine answered the provider",
      next: "start Docker (or dockerd), or set DOCKER_HOST / docker.host to the engine to use; `npm run stacks` checks the connection",
    },
  },
  {
    pattern: /port is already allocated|address already in use/i,
    diagnosis: {
      cause: "the host port is already taken by another program or container",
      next: "choose another litellm.port (or EXPERIMENT name), or stop what holds it (`docker ps`, `ss -ltnp`)",
    },
  },
  {
    pattern: /is already in use by container|Conflict\. The (container|network|volume) name/i,
    diagnosis: {
      cause: "a Docker object with the stack's name exists but is not in this stack's state (left by an earlier checkout or a lost state)",
      next: "remove it if it is a leftover (`docker rm -f NAME` / `docker network rm NAME`; a volume holds data: back it up first), or deploy with another stack name",
    },
  },
  {
    pattern: /Unable to (create container with image|read Docker image)|No such image|pull access denied|manifest unknown|failed to resolve reference/i,
    diagnosis: {
      cause: "an image could not be found or pulled",
      next: "check the image names and tags in the configuration, the registry login (`docker login`), or load the images on the engine (`docker load`)",
    },
  },
  {
    pattern: /container failed to be in healthy state/i,
    diagnosis: {
      cause: "a container started but its healthcheck did not pass in time",
      next: "read its log (`docker logs <stack>-litellm`); a first start with database migrations can take minutes on a small machine: raise litellm.startTimeoutSeconds (300 by default) if it was still starting",
    },
  },
  {
    // kreuzwerker/docker's converge check, when swarm rolled a failed update back.
    pattern: /service rollback completed|service update paused|service rollback paused/i,
    diagnosis: {
      cause: "the new tasks of a swarm service did not become healthy, so swarm rolled the service back: the previous configuration is still serving",
      next: "see why the new tasks failed (`docker service ps <stack>-litellm --no-trunc`, `docker service logs <stack>-litellm`), fix the configuration or image, and deploy again",
    },
  },
  {
    pattern: /did not converge after/i,
    diagnosis: {
      cause: "a swarm service did not have all its tasks healthy in time",
      next: "see its tasks (`docker service ps <service> --no-trunc`) and logs (`docker service logs <service>`); on a multi-node swarm, check that every node can pull the images",
    },
  },
  {
    pattern: /Instance cannot be destroyed|prevent_destroy/i,
    diagnosis: {
      cause: "the plan would delete the protected spend database volume",
      next: "keep database.enabled: true and the stack name, or delete the data on purpose with LITELLM_DELETE_DATA=yes",
    },
  },
];

/**
 * The first known cause in the output, or undefined (then the program's own error is the best guide).
 * @param binary the program that printed it @default Terraform
 */
export function diagnoseTerraformFailure(output: string, binary: TerraformBinary = binaryOf("terraform")): FailureDiagnosis | undefined {
  const diagnosis = KNOWN_FAILURES.find(({ pattern }) => pattern.test(output))?.diagnosis;
  return typeof diagnosis === "function" ? diagnosis(binary) : diagnosis;
}
