/**
 * The catalog as the deployer's environment lets it answer. A model whose upstream credential is
 * not set cannot answer: LiteLLM would send its provider no key and relay the provider's 401,
 * which OpenClaw takes for its own key to the proxy being wrong, disabling every model of the
 * provider for about a minute (the mock included). So such a model is left out of config.yaml and
 * the OpenClaw snippet alike, with a warning, until its credential is set and the stack redeployed;
 * the fallbacks that name it go with it (a model with several deployments loses only those that
 * cannot answer), and OpenClaw's primary becomes the first model that can
 * answer. A key's `models` list is left as written: an emptied list would mean every model.
 */
import { credentialEnvOf } from "./env-names";
import type { ModelDeployment } from "./schema";
import type { StackConfig } from "./validate";

export interface AnswerableCatalog {
  readonly config: StackConfig;
  readonly warnings: readonly string[];
}

/**
 * @param env the environment of the synth, the deployer's shell (cdktf's synth does not see
 *   TF_VAR_*: a credential counts as set when NAME or TF_VAR_NAME is)
 */
export function answerableCatalog(config: StackConfig, env: NodeJS.ProcessEnv): AnswerableCatalog {
  const missingOf = (deployment: ModelDeployment) =>
    Object.values(credentialEnvOf(deployment)).filter((name) => !env[name] && !env[`TF_VAR_${name}`]);
  const missingFor = new Map<string, string[]>();
  const warnings: string[] = [];
  // A model with several deployments keeps those that can answer; it is left out only when none can.
  const narrowed = config.models.map((model) => {
    const answering = model.deployments.filter((d) => missingOf(d).length === 0);
    if (answering.length === 0) {
      missingFor.set(model.id, [...new Set(model.deployments.flatMap(missingOf))]);
      return model;
    }
    for (const deployment of model.deployments.filter((d) => !answering.includes(d))) {
      warnings.push(`warning: ${missingOf(deployment).join(", ")} not set: deployment ${deployment.id} of ${model.id} is left out until it is set and the stack redeployed`);
    }
    return answering.length === model.deployments.length ? model : { ...model, deployments: answering };
  });
  // Nothing could answer: leave the catalog as written rather than deploy an empty one.
  if (missingFor.size === config.models.length) {
    return { config, warnings: [...missingFor].map(([id, names]) => `warning: ${names.join(", ")} not set: ${id} will fail until it is set and the stack redeployed`) };
  }
  if (missingFor.size === 0) return { config: { ...config, models: narrowed }, warnings };
  const kept = (id: string) => !missingFor.has(id);
  const models = narrowed.filter((model) => kept(model.id));
  const keptOf = (fallbacks: Readonly<Record<string, readonly string[]>>): Record<string, string[]> =>
    Object.fromEntries(
      Object.entries(fallbacks)
        .filter(([primary]) => kept(primary))
        .map(([primary, next]) => [primary, next.filter(kept)] as const)
        .filter(([, next]) => next.length > 0),
    );
  const primary = kept(config.openclaw.primary) ? config.openclaw.primary : models[0].id;
  warnings.push(
    ...[...missingFor].map(
      ([id, names]) => `warning: ${names.join(", ")} not set: ${id} is left out of the proxy and the OpenClaw snippet until it is set and the stack redeployed`,
    ),
  );
  if (primary !== config.openclaw.primary) {
    warnings.push(`warning: OpenClaw's primary model is ${primary} for now (${config.openclaw.primary}, the configured one, cannot answer yet)`);
  }
  return {
    config: {
      ...config,
      models,
      router: {
        ...config.router,
        fallbacks: keptOf(config.router.fallbacks),
        contextWindowFallbacks: keptOf(config.router.contextWindowFallbacks),
        contentPolicyFallbacks: keptOf(config.router.contentPolicyFallbacks),
      },
      openclaw: { ...config.openclaw, primary, fallbacks: config.openclaw.fallbacks.filter(kept) },
    },
    warnings,
  };
}
