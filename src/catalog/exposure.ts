/** What binding the proxy beyond loopback means, said before anything is deployed. */
import { isIP } from "node:net";
import type { ConfigProblem } from "./config-error";
import type { StackConfig } from "./validate";
import { MASTER_KEY_ENV, UI_PASSWORD_ENV } from "./env-names";

export function isLoopback(address: string): boolean {
  return isIP(address) === 4 ? address.startsWith("127.") : address === "::1";
}

export interface ExposureFindings {
  readonly warnings: string[];
  readonly problems: ConfigProblem[];
}

/**
 * Beyond loopback, anyone who reaches the port can try keys; the proxy must then be protected by a
 * master key the operator manages (from the environment), not one generated into local state.
 */
export function exposureFindings(config: StackConfig, env: NodeJS.ProcessEnv): ExposureFindings {
  const { bindAddress, port } = config.litellm;
  if (isLoopback(bindAddress)) return { warnings: [], problems: [] };
  const host = config.docker.host ?? env.DOCKER_HOST ?? "the local Docker host";
  const warnings = [
    config.profile === "swarm"
      ? // The profile sets no bindAddress (it refuses one): host-mode ports listen on every interface.
        `warning: the swarm profile publishes the proxy on port ${port} of every interface of each node that runs its load balancer (host-mode ports; swarm ${host}): keep it behind a firewall or a TLS reverse proxy`
      : `warning: litellm.bindAddress ${bindAddress} publishes the proxy on port ${port} of ${
          bindAddress === "0.0.0.0" || bindAddress === "::" ? "every interface" : bindAddress
        } of ${host}: keep it behind a firewall or a TLS reverse proxy`,
  ];
  // The dashboard's login falls back to the master key: typed into a browser, over plain HTTP,
  // from anywhere the port reaches.
  if (config.dashboard.enabled && !env[UI_PASSWORD_ENV]) {
    warnings.push(
      `warning: LiteLLM's dashboard (/ui) is reachable there too, and its password is the master key: set ${UI_PASSWORD_ENV} ` +
        "to give it one of its own, or dashboard.enabled: false",
    );
  }
  const masterKey = env[MASTER_KEY_ENV];
  const problems: ConfigProblem[] =
    masterKey && masterKey.startsWith("sk-")
      ? []
      : [
          config.profile === "swarm"
            ? {
                path: "profile",
                message: `the swarm profile publishes port ${port} on every interface of every node, which needs master key protection: set ${MASTER_KEY_ENV} (sk-...) in the environment`,
              }
            : {
                path: "litellm.bindAddress",
                message: `${bindAddress} is beyond loopback, which needs master key protection: set ${MASTER_KEY_ENV} (sk-...) in the environment`,
              },
        ];
  return { warnings, problems };
}
