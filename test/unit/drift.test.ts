/** The drift check's finding, from a real plan's JSON shape (`terraform show -json`). */
import { describeDrift, driftedResources } from "../../src/lifecycle/drift";

const change = (address: string, actions: string[]) => ({ address, change: { actions } });

describe("drift found in a plan", () => {
  test("a container removed by hand is to be created; a replaced one and an updated one are named with their action", () => {
    const plan = {
      resource_changes: [
        change("docker_container.team-litellm_litellm_1A2B", ["create"]),
        change("docker_container.team-litellm_postgres_3C4D", ["delete", "create"]),
        change("docker_network.team-litellm_net_5E6F", ["update"]),
        change("docker_volume.team-litellm_pgdata_7A8B", ["no-op"]),
        change("data.docker_network.x", ["read"]),
      ],
    };
    expect(driftedResources(plan)).toEqual([
      { address: "docker_container.team-litellm_litellm_1A2B", action: "create" },
      { address: "docker_container.team-litellm_postgres_3C4D", action: "replace" },
      { address: "docker_network.team-litellm_net_5E6F", action: "update" },
    ]);
  });

  test("create-before-destroy is a replacement too; a plan of no-ops finds nothing", () => {
    expect(driftedResources({ resource_changes: [change("a.b", ["create", "delete"])] })).toEqual([{ address: "a.b", action: "replace" }]);
    expect(driftedResources({ resource_changes: [change("a.b", ["no-op"])] })).toEqual([]);
    expect(driftedResources({})).toEqual([]);
  });

  test("the last line names the stack, each resource, and what npm run deploy does about it", () => {
    const removedByHand = { resource_changes: [change("docker_container.x", ["create"])], resource_drift: [change("docker_container.x", ["delete"])] };
    expect(describeDrift("team", driftedResources(removedByHand))).toBe(
      'drift: stack "team" differs from its configuration: docker_container.x (create). `npm run deploy` brings it back',
    );
    // Nothing changed outside Terraform: the configuration did, and a deploy applies it (brings nothing back).
    const edited = { resource_changes: [change("docker_container.x", ["delete", "create"])], resource_drift: [change("docker_network.y", ["no-op"])] };
    expect(describeDrift("team", driftedResources(edited))).toBe(
      'drift: stack "team" differs from its configuration: docker_container.x (replace). The configuration changed since the last deploy: `npm run deploy` applies it',
    );
    expect(describeDrift("team", driftedResources({ ...removedByHand, resource_changes: [...removedByHand.resource_changes, change("docker_network.y", ["update"])] }))).toMatch(
      /: docker_container\.x \(create\), docker_network\.y \(update\)\. `npm run deploy` brings back what was changed outside Terraform and applies the configuration$/,
    );
  });
});
