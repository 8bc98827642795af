/** Terraform or OpenTofu: the program chosen, and named in every message. */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryOf, chooseBinary, onPath } from "../../src/lifecycle/terraform-binary";

const installed = (...names: string[]) => (command: string) => names.includes(command);

test.each([
  ["terraform", "Terraform", "registry.terraform.io"],
  ["tofu", "OpenTofu", "registry.opentofu.org"],
  ["/opt/opentofu/tofu", "OpenTofu", "registry.opentofu.org"],
  ["/usr/local/bin/terraform-1.11", "Terraform", "registry.terraform.io"],
])("%s is %s, whose providers come from %s", (command, product, registry) => {
  expect(binaryOf(command)).toEqual({ command, product, registry });
});

test("TERRAFORM_BINARY_NAME (CDKTF's own variable) wins, whatever is installed", () => {
  expect(chooseBinary({ TERRAFORM_BINARY_NAME: "tofu" }, installed("terraform", "tofu")).command).toBe("tofu");
  expect(chooseBinary({ TERRAFORM_BINARY_NAME: "terraform" }, installed("tofu")).command).toBe("terraform");
});

test("without it: terraform when both are installed, as CDKTF runs it; tofu when only OpenTofu is", () => {
  expect(chooseBinary({}, installed("terraform", "tofu")).product).toBe("Terraform");
  expect(chooseBinary({}, installed("tofu")).product).toBe("OpenTofu");
  // Neither: terraform, whose absence the run then reports in its own words.
  expect(chooseBinary({ TERRAFORM_BINARY_NAME: " " }, installed()).command).toBe("terraform");
});

test("the PATH look-up finds executables only, without running them", () => {
  const dir = mkdtempSync(join(tmpdir(), "path-"));
  writeFileSync(join(dir, "tofu"), "#!/bin/sh\nexit 1\n");
  chmodSync(join(dir, "tofu"), 0o755);
  writeFileSync(join(dir, "terraform"), "not executable");
  expect(onPath("tofu", { PATH: dir })).toBe(true);
  expect(onPath("terraform", { PATH: dir })).toBe(false);
  expect(chooseBinary({ PATH: dir }).command).toBe("tofu");
});
