import type { StackConfig } from "../catalog/validate";

/** Where LiteLLM serves its dashboard: the proxy's own origin (the advertised base URL), path /ui. */
export function dashboardUrl(config: StackConfig): string {
  return `${config.openclaw.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/ui`;
}
