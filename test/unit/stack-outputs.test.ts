import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { proxyAccess } from "../../src/operations/stack-outputs";
import { validConfig } from "./helpers";

describe("proxyAccess: where the operations commands find the proxy", () => {
  const noKeys = validConfig();
  const withKeys = validConfig({ keys: [{ alias: "openclaw", maxBudget: 1 }] });

  test("LITELLM_BASE_URL and LITELLM_MASTER_KEY win, without reading any state", () => {
    const access = proxyAccess(noKeys, { LITELLM_BASE_URL: "http://127.0.0.1:4000", LITELLM_MASTER_KEY: "sk-env" }, "/nonexistent");
    expect(access).toEqual({ baseUrl: "http://127.0.0.1:4000", masterKey: "sk-env", keys: {} });
  });

  test("fails clearly when nothing was deployed from this checkout", () => {
    expect(() => proxyAccess(withKeys, {}, mkdtempSync(join(tmpdir(), "no-outputs-")))).toThrow(
      'cannot find the proxy: no stack outputs for "unit" (deploy it first) and LITELLM_BASE_URL / LITELLM_MASTER_KEY are not both set',
    );
  });

  test("fails clearly when the synthesized stack has no state Terraform can read", () => {
    const cwd = mkdtempSync(join(tmpdir(), "synth-only-"));
    mkdirSync(join(cwd, "cdktf.out", "stacks", "unit"), { recursive: true });
    writeFileSync(join(cwd, "cdktf.out", "stacks", "unit", "cdk.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "x.tfstate" } } } }));
    let message = "";
    try {
      proxyAccess(withKeys, { PATH: process.env.PATH }, cwd);
    } catch (error) {
      message = (error as Error).message;
    }
    // With terraform: its reason; without: the spawn error. Either way the fix is named.
    expect(message).toMatch(/^cannot read the outputs of stack "unit" \(terraform output: .+\): deploy it from this checkout first/);
  });
});
