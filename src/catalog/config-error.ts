/** One thing wrong with the configuration, located by a dotted path such as `models[2].maxTokens`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Every problem found in one configuration, reported together. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}
