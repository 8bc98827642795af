/**
 * How the operations commands end: known failures (bad configuration, an unreachable or refusing
 * proxy) print one "error:" line and exit 1; anything else is a bug and keeps its stack trace.
 */
import { ConfigError } from "../src/catalog/config-error";
import { AdminError } from "../src/proxy-admin/litellm-admin";

export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => (process.exitCode = code),
    (error) => {
      if (!(error instanceof AdminError || error instanceof ConfigError)) throw error;
      console.error(`error: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
