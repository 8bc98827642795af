import { appliedChanges, describeAppliedChanges, progressLines } from "../../src/lifecycle/applied-changes";

// Terraform 1.x apply output (-no-color), as in the swarm image change that deleted the proxy.
const failedApply = `docker_service.litellm_service_7AB8399C: Destroying... [id=vre0ezlhre88d8q2tjrxzyw74]
docker_service.litellm_service_7AB8399C: Destruction complete after 12s
docker_secret.litellm_secret-litellm_master_key_C0DAD8C7: Creating...
docker_config.litellm_config-0_3DE0E68D: Creation complete after 0s [id=mcgs9u41eu2lhrx87ec88od6n]
docker_service.load-balancer_service_36EB93D2: Modifications complete after 1s [id=j3ut2826o198xau2fye2h5vnt]
╷
│ Error: Error response from daemon: rpc error: code = AlreadyExists desc = secret swreal-litellm-litellm-master-key-fc5ec8075a96 already exists`;

test("a failed apply's progress lines say what it had destroyed, created and updated", () => {
  expect(appliedChanges(failedApply)).toEqual({
    destroyed: ["docker_service.litellm_service_7AB8399C"],
    created: ["docker_config.litellm_config-0_3DE0E68D"],
    modified: ["docker_service.load-balancer_service_36EB93D2"],
  });
  expect(describeAppliedChanges(appliedChanges(failedApply))).toBe(
    "before it failed, it had destroyed docker_service.litellm_service_7AB8399C; created docker_config.litellm_config-0_3DE0E68D; updated docker_service.load-balancer_service_36EB93D2",
  );
});

test("an apply that failed before any change says it changed nothing (a resource still being created is not a change)", () => {
  expect(describeAppliedChanges(appliedChanges("docker_container.litellm: Creating...\n│ Error: boom"))).toBe("it had changed nothing");
});

test("each finished step carries Terraform's own count of its time, minutes included; progress without a time is no step", () => {
  const output = `${failedApply}
docker_container.litellm_container_7EDBBC99: Still creating... [10s elapsed]
docker_container.litellm_container_7EDBBC99: Creation complete after 1m5s [id=dfcb3ed779b9]`;
  expect(progressLines(output)).toEqual([
    { address: "docker_service.litellm_service_7AB8399C", action: "Destruction", seconds: 12 },
    { address: "docker_config.litellm_config-0_3DE0E68D", action: "Creation", seconds: 0 },
    { address: "docker_service.load-balancer_service_36EB93D2", action: "Modifications", seconds: 1 },
    { address: "docker_container.litellm_container_7EDBBC99", action: "Creation", seconds: 65 },
  ]);
});
