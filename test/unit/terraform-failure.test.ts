/** The last line of a failed deploy names the cause and the next step, from what Terraform printed. */
import { binaryOf } from "../../src/lifecycle/terraform-binary";
import { diagnoseTerraformFailure } from "../../src/lifecycle/terraform-failure";
import { protectedDeletions, DATA_PROTECTION_MARKER } from "../../src/lifecycle/plan-guard";
import { describeFailedStart } from "../../src/lifecycle/start-watch";

describe("diagnoseTerraformFailure", () => {
  test("the registry unreachable (Terraform 1.11's own words, recorded on this machine) -> the provider mirror", () => {
    const output = `Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider
kreuzwerker/docker: could not connect to registry.terraform.io: failed to
request discovery document: Get
"https://registry.terraform.io/.well-known/terraform.json": dial tcp: lookup
registry.terraform.io on 10.255.255.53:53: no such host`;
    expect(diagnoseTerraformFailure(output)).toEqual({
      cause: "Terraform could not download its providers (kreuzwerker/docker, hashicorp/random): registry.terraform.io is not reachable",
      next: expect.stringMatching(/terraform providers mirror.*TF_CLI_CONFIG_FILE/),
    });
  });

  test.each([
    ["Error: Error pinging Docker server: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", "no Docker Engine answered the provider"],
    ["Error: Unable to start container: Error response from daemon: driver failed programming external connectivity on endpoint litellm-litellm: Bind for 127.0.0.1:4000 failed: port is already allocated", "the host port is already taken by another program or container"],
    ['Error: Unable to create container: Error response from daemon: Conflict. The container name "/litellm-litellm" is already in use by container "0b1c". You have to remove (or rename) that container to be able to reuse that name.', "a Docker object with the stack's name exists but is not in this stack's state (left by an earlier checkout or a lost state)"],
    ["Error: Unable to read Docker image into resource: unable to pull image ghcr.io/berriai/litellm-database:v1.108.5: error pulling image: manifest unknown", "an image could not be found or pulled"],
    ["Error: container failed to be in healthy state", "a container started but its healthcheck did not pass in time"],
    ['Error: Backend configuration changed\n\nA change in the backend configuration has been detected', "the state backend in the configuration is not the one Terraform last used"],
    // Terraform's own heading when another run holds the lock (seen with the pg backend in the e2e suite).
    ["Error: Error acquiring the state lock\n\nTerraform acquires a state lock to protect the state from being written\nby multiple users at the same time.", "another run holds this stack's state lock (a deploy or destroy of the same stack from another checkout or CI job)"],
    // kreuzwerker/docker's own texts (resource_docker_service_funcs.go): fmt.Errorf("service rollback completed: %s", ...) and DidNotConvergeError.
    ["Error: service rollback completed: rollback completed", "the new tasks of a swarm service did not become healthy, so swarm rolled the service back: the previous configuration is still serving"],
    ["Error: Service with ID (m9aak9dxi6ya) did not converge after 15m0s", "a swarm service did not have all its tasks healthy in time"],
  ])("%s", (output, cause) => {
    expect(diagnoseTerraformFailure(output)?.cause).toBe(cause);
  });

  // OpenTofu 1.12.6's own words, recorded on this machine (tofu init with a Terraform-only mirror,
  // with an empty one, and tofu plan while an apply held the local state's lock).
  const tofu = binaryOf("tofu");
  test("OpenTofu, registry unreachable (a mirror laid out for Terraform alone) -> a mirror that serves registry.opentofu.org, in tofu's words", () => {
    const output = `Error: Failed to resolve provider packages

Could not resolve provider kreuzwerker/docker: could not connect to
registry.opentofu.org: failed to request discovery document: Get
"https://registry.opentofu.org/.well-known/terraform.json": dial tcp: lookup
registry.opentofu.org on 10.255.255.53:53: no such host`;
    const diagnosis = diagnoseTerraformFailure(output, tofu);
    expect(diagnosis?.cause).toBe("OpenTofu could not download its providers (kreuzwerker/docker, hashicorp/random): registry.opentofu.org is not reachable");
    expect(diagnosis?.next).toMatch(/`tofu providers mirror DIR`.*a mirror made for Terraform alone does not serve/);
    expect(diagnosis?.next).not.toMatch(/terraform /);
  });

  test("a provider missing from the mirror, for each program: the registry that program looks for", () => {
    const output = (registry: string) => `Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider
kreuzwerker/docker: provider ${registry}/kreuzwerker/docker was not
found in any of the search locations

  - /tmp/tofutest/empty`;
    expect(diagnoseTerraformFailure(output("registry.opentofu.org"), tofu)?.cause).toBe(
      "the provider mirror that TF_CLI_CONFIG_FILE names has no registry.opentofu.org/kreuzwerker/docker or hashicorp/random, which OpenTofu looks for",
    );
    expect(diagnoseTerraformFailure(output("registry.terraform.io"))?.cause).toMatch(/has no registry\.terraform\.io\/kreuzwerker\/docker .* which Terraform looks for/);
  });

  test("OpenTofu's held lock -> tofu force-unlock", () => {
    const output = `Error: Error acquiring the state lock

Error message: resource temporarily unavailable
Lock Info:
  ID:        77632946-f444-0d3a-e616-96f472bbce0c
  Path:      terraform.tfstate
  Operation: OperationTypeApply

OpenTofu acquires a state lock to protect the state from being written
by multiple users at the same time.`;
    expect(diagnoseTerraformFailure(output, tofu)?.next).toMatch(/`tofu force-unlock <ID>`.*OpenTofu's message above/);
  });

  test("an unknown failure gets no made-up cause", () => {
    expect(diagnoseTerraformFailure("Error: something new")).toBeUndefined();
  });
});

describe("protectedDeletions (Terraform's JSON plan)", () => {
  const prior = (resources: { address: string; values?: { input?: unknown } }[]) => ({ values: { root_module: { resources } } });
  const change = (address: string, actions: string[]) => ({ address, change: { actions } });
  const marker = { address: DATA_PROTECTION_MARKER, values: { input: "docker_volume.postgres-data" } };

  test("a delete or a replacement of the protected address is found", () => {
    expect(protectedDeletions({ prior_state: prior([marker]), resource_changes: [change("docker_volume.postgres-data", ["delete"])] })).toEqual(["docker_volume.postgres-data"]);
    expect(protectedDeletions({ prior_state: prior([marker]), resource_changes: [change("docker_volume.postgres-data", ["delete", "create"])] })).toEqual(["docker_volume.postgres-data"]);
  });

  test("nothing is protected without the marker in the prior state, and other changes pass", () => {
    expect(protectedDeletions({ prior_state: prior([]), resource_changes: [change("docker_volume.postgres-data", ["delete"])] })).toEqual([]);
    expect(protectedDeletions({ prior_state: prior([marker]), resource_changes: [change("docker_container.x", ["delete", "create"]), change("docker_volume.postgres-data", ["no-op"])] })).toEqual([]);
  });
});

describe("describeFailedStart", () => {
  test("the log tail is shown without key values or terminal control characters", () => {
    const text = describeFailedStart({ container: "x-litellm", exitCode: 1, restarts: 2, logTail: "boot\nkey sk-abcdef123456 refused\n\u001b[31mred\u001b[0m" });
    expect(text).toMatch(/^x-litellm exited at start \(exit code 1, restarted 2x\); its last lines:\n {2}\| boot\n {2}\| key sk-… refused\n {2}\| \\u001b\[31mred/);
    expect(text).not.toContain("sk-abcdef123456");
  });
});
