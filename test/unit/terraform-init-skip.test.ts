/**
 * TerraformRunner.initIfChanged with the real Terraform and the pinned random provider from the
 * mirror: init runs when what it installs changed, and only then.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initFingerprint } from "../../src/lifecycle/init-fingerprint";
import { TerraformRunner } from "../../src/lifecycle/terraform-runner";
import { mirrorCliConfig, realPathUnavailableReason } from "../e2e/harness/checkout";

const unavailable = realPathUnavailableReason();
if (unavailable) process.stderr.write(`SKIPPED (terraform init skip with the real Terraform): ${unavailable}\n`);
const realTest = unavailable ? test.skip : test;

const stack = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ terraform: { required_providers: { random: { source: "hashicorp/random", version: "3.7.2" } }, ...extra } });

describe("initFingerprint", () => {
  const base = { stackJson: stack(), binary: "terraform" };
  test("changes with the providers, the backend, the CLI configuration and the binary", () => {
    const fingerprints = [
      initFingerprint(base),
      initFingerprint({ ...base, stackJson: stack({ backend: { local: { path: "/x.tfstate" } } }) }),
      initFingerprint({ ...base, cliConfig: "provider_installation {}" }),
      initFingerprint({ ...base, binary: "tofu" }),
      initFingerprint({ ...base, pluginCacheDir: "/cache" }),
    ];
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  test("ignores the resources: a catalog change needs no init", () => {
    expect(initFingerprint({ ...base, stackJson: JSON.stringify({ ...JSON.parse(stack()), resource: { x: {} } }) })).toBe(initFingerprint(base));
  });
});

describe("TerraformRunner.initIfChanged (real terraform)", () => {
  let dir: string;
  let runner: TerraformRunner;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "init-skip-"));
    writeFileSync(join(dir, "cdk.tf.json"), stack());
    runner = new TerraformRunner(dir, { PATH: process.env.PATH ?? "", HOME: dir, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: mirrorCliConfig(dir) }, false);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  realTest("runs the first time, skips while nothing changed, runs after a change of backend, with extra arguments, and without a lock file", async () => {
    const first = await runner.initIfChanged();
    expect(first).toMatchObject({ status: 0, skipped: false });
    expect(await runner.initIfChanged()).toMatchObject({ status: 0, skipped: true });

    writeFileSync(join(dir, "cdk.tf.json"), stack({ backend: { local: { path: join(dir, "s.tfstate") } } }));
    expect(await runner.initIfChanged()).toMatchObject({ status: 0, skipped: false });
    expect(await runner.initIfChanged()).toMatchObject({ skipped: true });

    expect(await runner.initIfChanged(["-reconfigure"])).toMatchObject({ status: 0, skipped: false });

    rmSync(join(dir, ".terraform.lock.hcl"));
    expect(await runner.initIfChanged()).toMatchObject({ status: 0, skipped: false });
  }, 120_000);

  realTest("a failed init is not recorded: the next run tries again", async () => {
    appendFileSync(join(dir, "cdk.tf.json"), "not json");
    await expect(runner.initIfChanged()).rejects.toThrow(SyntaxError);
    writeFileSync(join(dir, "cdk.tf.json"), stack({ required_version: ">= 999.0" }));
    expect((await runner.initIfChanged()).status).not.toBe(0);
    expect((await runner.initIfChanged()).skipped).toBe(false);
  }, 120_000);
});
