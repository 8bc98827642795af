/** One thing wrong with the configuration, located by a dotted path such as `models[2].maxTokens`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** At most a screenful: a wrong file can produce thousands of problems. */
const MAX_SHOWN = 20;
const MAX_LINE = 300;

/** One line, no control characters (a file's content must not drive the terminal), bounded. */
export function printable(text: string): string {
  const visible = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === "\n" ? " " : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  return visible.length > MAX_LINE ? `${visible.slice(0, MAX_LINE)}…` : visible;
}

/** Every problem found in one configuration, reported together (the first 20 shown). */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const shown = problems.slice(0, MAX_SHOWN);
    const more = problems.length - shown.length;
    super(
      `${printable(source)}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        shown.map((p) => `  - ${printable(p.path)}: ${printable(p.message)}`).join("\n") +
        (more > 0 ? `\n  ... and ${more} more` : ""),
    );
    this.name = "ConfigError";
  }
}
