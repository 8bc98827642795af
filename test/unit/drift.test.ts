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

  test("the last line names the stack, each resource and the command that brings it back", () => {
    expect(describeDrift("team", [{ address: "docker_container.x", action: "create" }, { address: "docker_network.y", action: "update" }])).toBe(
      'drift: stack "team" differs from its configuration: docker_container.x (create), docker_network.y (update). `npm run deploy` brings it back',
    );
  });
});
