import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { proxyAccess } from "../../src/lifecycle/stack-outputs";
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

  test("reads the outputs straight from the local state file, outside cdktf.out/ (no terraform init needed)", () => {
    const cwd = mkdtempSync(join(tmpdir(), "state-outputs-"));
    mkdirSync(join(cwd, "terraform-state"));
    // Terraform's state format 4, as `terraform apply` writes it.
    const state = {
      version: 4,
      terraform_version: "1.11.4",
      serial: 3,
      lineage: "x",
      outputs: {
        base_url: { value: "http://localhost:4000", type: "string" },
        master_key: { value: "sk-from-state", type: "string", sensitive: true },
        virtual_keys: { value: { openclaw: "sk-virtual" }, type: ["object", { openclaw: "string" }], sensitive: true },
      },
      resources: [],
    };
    writeFileSync(join(cwd, "terraform-state", "unit.tfstate"), JSON.stringify(state));
    expect(proxyAccess(withKeys, {}, cwd)).toEqual({ baseUrl: "http://localhost:4000", masterKey: "sk-from-state", keys: { openclaw: "sk-virtual" } });
  });

  test("fails clearly, naming the command to run, when a remote backend was never initialized here", () => {
    const remote = validConfig({ keys: [{ alias: "openclaw", maxBudget: 1 }], backend: { type: "s3", bucket: "b", key: "k", region: "r" } });
    expect(() => proxyAccess(remote, {}, mkdtempSync(join(tmpdir(), "remote-")))).toThrow(
      'cannot read the outputs of stack "unit" from its remote state: run `npm run deploy` from this checkout first (it initializes the backend), or set LITELLM_BASE_URL and LITELLM_MASTER_KEY',
    );
  });
});
