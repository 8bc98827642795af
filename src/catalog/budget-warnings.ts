import type { Model, ModelDeployment } from "./schema";
import type { StackConfig } from "./validate";

/**
 * Whether LiteLLM charges nothing for a deployment's requests: a catalog price of zero, or a mock
 * answer LiteLLM has no price for. Deployments LiteLLM prices from its own table are not judged here.
 */
export function chargesNothing(deployment: ModelDeployment): boolean {
  if (deployment.pricing === "catalog") return (deployment.cost?.input ?? 0) === 0 && (deployment.cost?.output ?? 0) === 0;
  return deployment.mockResponse !== undefined;
}

/** A model some of whose requests may cost nothing: one of its deployments charges nothing. */
const mayCostNothing = (model: Model) => model.deployments.some(chargesNothing);

/**
 * One warning per key with a budget that can reach models costing nothing: their requests never
 * count against the budget, so a user could believe a limit holds that never triggers.
 */
export function freeModelBudgetWarnings(config: Pick<StackConfig, "models" | "keys">): string[] {
  return config.keys.flatMap((key) => {
    const reachable = key.models ? config.models.filter((m) => key.models?.includes(m.id)) : config.models;
    const free = reachable.filter(mayCostNothing).map((m) => m.id);
    if (free.length === 0) return [];
    return [
      `warning: key "${key.alias}" has a budget of $${key.maxBudget}, but its requests to ${free.join(", ")} cost nothing ` +
        "and never count against it; give such a model a cost (models[].cost, USD per million tokens) to charge it, or leave it out of the key's models",
    ];
  });
}
