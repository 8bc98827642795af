import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ISynthesisSession, TerraformStack } from "cdktf";

/**
 * Writes files at synth time into `cdktf.out/stacks/<stack>/`, beside cdk.tf.json, so users and CI
 * can read the generated LiteLLM config and OpenClaw snippet without deploying. Wraps the stack's
 * synthesizer (CDKTF's public extension point) rather than writing after `app.synth()`, so every
 * way of synthesizing the stack, tests included, produces them.
 */
export function writeBesideStack(stack: TerraformStack, files: Readonly<Record<string, string>>): void {
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession) {
      inner.synthesize(session);
      const stackFile = join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath);
      for (const [fileName, content] of Object.entries(files)) {
        writeFileSync(join(dirname(stackFile), fileName), content);
      }
    },
  };
}
