/**
 * The example workflow as the suite reads it (test/e2e/harness/workflow.ts): its expressions, and
 * what the shared-proxy e2e suite relies on being true of the file itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { conditionHolds, type ExpressionContext, parseStepOutputs, readWorkflow, substitute } from "../e2e/harness/workflow";

const workflow = readWorkflow(join(__dirname, "..", "..", "examples", "github-actions", "shared-proxy.yml"));
const proxy = workflow.jobs.find((job) => job.id === "proxy")!;
const ctx = (event: string, action = ""): ExpressionContext => ({ event, inputs: action ? { action } : {}, secrets: { LITELLM_MASTER_KEY: "sk-x" } });

describe("workflow expressions", () => {
  test("conditions: ==, != and ||; always() runs after a failure, anything else does not", () => {
    const deploy = "github.event_name == 'push' || inputs.action == 'deploy'";
    expect(conditionHolds(deploy, ctx("push"), false)).toBe(true);
    expect(conditionHolds(deploy, ctx("workflow_dispatch", "deploy"), false)).toBe(true);
    expect(conditionHolds(deploy, ctx("workflow_dispatch", "destroy"), false)).toBe(false);
    expect(conditionHolds(deploy, ctx("push"), true)).toBe(false);
    expect(conditionHolds("always()", ctx("schedule"), true)).toBe(true);
    expect(conditionHolds(undefined, ctx("schedule"), true)).toBe(false);
    expect(conditionHolds("needs.proxy.outputs.base_url != ''", { ...ctx("push"), needs: { proxy: { base_url: "http://x" } } }, false)).toBe(true);
    expect(conditionHolds("needs.proxy.outputs.base_url != ''", { ...ctx("push"), needs: { proxy: {} } }, false)).toBe(false);
  });

  test("an expression the suite does not understand fails, naming it", () => {
    expect(() => conditionHolds("contains(github.ref, 'main')", ctx("push"), false)).toThrow(/does not understand the condition "contains/);
    expect(() => substitute("${{ vars.REGION }}", ctx("push"))).toThrow(/does not understand the expression term "vars.REGION"/);
  });

  test("substitution and $GITHUB_OUTPUT", () => {
    expect(substitute("${{ secrets.LITELLM_MASTER_KEY }}", ctx("push"))).toBe("sk-x");
    expect(substitute("${{ steps.outputs.outputs.base_url }}", { ...ctx("push"), steps: { outputs: { base_url: "https://llm" } } })).toBe("https://llm");
    expect(parseStepOutputs("base_url=https://llm/a=b\n")).toEqual({ base_url: "https://llm/a=b" });
  });
});

describe("the example workflow", () => {
  test("install and the tests never see a secret; every secret a step names is one the header documents", () => {
    const header = readFileSync(join(__dirname, "..", "..", "examples", "github-actions", "shared-proxy.yml"), "utf8").split("\nname:")[0];
    for (const step of proxy.steps) {
      const secrets = Object.values(step.env).flatMap((value) => [...value.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]));
      if (step.run === "npm ci" || step.run === "npm test") expect({ step: step.run, secrets }).toEqual({ step: step.run, secrets: [] });
      for (const secret of secrets) expect({ secret, documented: header.includes(secret) }).toEqual({ secret, documented: true });
    }
  });

  test("deploys on push, checks drift on a schedule, destroys on request, and hands the URL to a later job", () => {
    expect(workflow.events).toEqual(["push", "schedule", "workflow_dispatch"]);
    const runs = proxy.steps.map((s) => s.run?.trim()).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(["npm ci", "npm test", "npm run deploy", "npm run drift", "npm run destroy"]));
    expect(proxy.outputs).toEqual({ base_url: "${{ steps.outputs.outputs.base_url }}" });
  });
});
