/**
 * The kubernetes profile's pure parts: validation, the pods it derives from the shared container
 * specs, the synthesized objects, and the checks' and `stacks`' readings of the API's answers.
 */
import { Testing } from "cdktf";
import type { StackSecrets } from "../../src/specs/service-specs";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { kubernetesPods } from "../../src/kubernetes/pod-specs";
import { migrationJobName, STACK_LABEL } from "../../src/kubernetes/kubernetes-names";
import { connectionProblem, defaultNodePort, kubeconfigPath } from "../../src/catalog/validate";
import { homedir } from "node:os";
import { namespaceOwnerProblem, nodePortProblem } from "../../src/lifecycle/kubernetes-check";
import { stacksFromDeployments } from "../../src/lifecycle/kubernetes-stacks";
import { kubeConnection } from "../../src/lifecycle/kubernetes-api";
import { forwardedHeaders } from "../../src/lifecycle/kubernetes-tunnel";
import { failedPod } from "../../src/lifecycle/kubernetes-pod-watch";
import { previousTemplate } from "../../src/lifecycle/kubernetes-rollback";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { problemsOf, configInput, validConfig } from "./helpers";

const SECRETS: StackSecrets = {
  masterKey: "sk-master",
  database: { saltKey: "sk-salt", password: "pw", passwordInUrl: "pw" },
  redisPassword: "redis-pw",
  upstream: { ANTHROPIC_API_KEY: "sk-ant", OPENAI_API_KEY: "sk-oai" },
};
const kube = (kubernetes: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) =>
  validConfig({ profile: "kubernetes", kubernetes, ...overrides });

describe("validation", () => {
  test("defaults: the stack's namespace, 2 replicas with Redis, a node port folded from the port, its URL", () => {
    const config = kube();
    expect(config.kubernetes).toMatchObject({ namespace: "unit", replicas: 2, service: { type: "NodePort", nodePort: defaultNodePort(4000) } });
    expect(defaultNodePort(4000)).toBe(31232);
    expect(config.redis.enabled).toBe(true);
    expect(config.openclaw.baseUrl).toBe("http://localhost:31232");
  });

  test("the kubeconfig is found once, as kubectl finds it, for the synth and the commands alike", () => {
    expect(kubeconfigPath(undefined, { KUBECONFIG: ":/a/config:/b/config" })).toBe("/a/config");
    expect(kubeconfigPath(undefined, {})).toBe(join(homedir(), ".kube", "config"));
    expect(kubeconfigPath("~/.kube/team", { KUBECONFIG: "/a/config" })).toBe(join(homedir(), ".kube", "team"));
    expect(kube({ configPath: "/etc/k" }).kubernetes?.configPath).toBe("/etc/k");
  });

  test("a ClusterIP service is reached by its cluster DNS name", () => {
    const config = kube({ namespace: "team-a", service: { type: "ClusterIP" } });
    expect(config.kubernetes?.service.nodePort).toBeUndefined();
    expect(config.openclaw.baseUrl).toBe("http://litellm.team-a.svc.cluster.local:4000");
  });

  test("quantities are Kubernetes' own: '2 GB' is refused with how to write it", () => {
    expect(problemsOf(configInput({ profile: "kubernetes", kubernetes: { resources: { memory: "2 GB", cpu: "1 core" } } }))).toEqual([
      expect.stringMatching(/^kubernetes\.resources\.cpu: must be a Kubernetes CPU quantity: cores or millicores, e\.g\. "1", "0\.5" or "500m"/),
      expect.stringMatching(/^kubernetes\.resources\.memory: must be a Kubernetes memory quantity without spaces, e\.g\. "2Gi".*"2 GB" is written 2G/),
    ]);
    expect(kube({ resources: { cpu: "250m", memory: "1.5Gi" } }).kubernetes?.resources).toEqual({ cpu: "250m", memory: "1.5Gi" });
  });

  test("settings that do not apply are refused, each naming its field", () => {
    expect(problemsOf(configInput({ kubernetes: { replicas: 2 } }))).toEqual([
      "kubernetes: kubernetes settings only apply with profile: kubernetes (the profile is container)",
    ]);
    expect(problemsOf(configInput({ profile: "kubernetes", litellm: { bindAddress: "0.0.0.0" }, kubernetes: { service: { type: "ClusterIP", nodePort: 30400 } } }))).toEqual([
      expect.stringMatching(/^litellm\.bindAddress: the kubernetes profile publishes LiteLLM through its Service/),
      "kubernetes.service.nodePort: a ClusterIP Service has no node port: remove nodePort, or set type: NodePort",
    ]);
  });

  test("replicas x workers x LiteLLM's pool, with a rollout's extra pod, must fit in Postgres' connections", () => {
    expect(connectionProblem(8, 1, "kubernetes")).toBeUndefined();
    expect(problemsOf(configInput({ profile: "kubernetes", kubernetes: { replicas: 5 }, litellm: { workers: 2 } }))).toEqual([
      "kubernetes.replicas: (5 replicas + 1 during a rollout) x 2 workers x 10 connections each is 120: above the 97 the stack's Postgres allows (max_connections 100 less 3 reserved); lower kubernetes.replicas or litellm.workers",
    ]);
    // Without the stack's database there is nothing to exhaust.
    expect(kube({ replicas: 12 }, { database: { enabled: false } }).kubernetes?.replicas).toBe(12);
  });
});

describe("pods", () => {
  const pods = kubernetesPods(kube(), SECRETS);

  test("LiteLLM: probes that leave a busy pod alone, a drain before the stop, no migrations of its own", () => {
    const { litellm } = pods;
    expect(litellm.startupProbe).toMatchObject({ httpGet: { path: "/health/liveliness" }, timeoutSeconds: 5, failureThreshold: 150 });
    expect(litellm.livenessProbe?.httpGet?.path).toBe("/health/liveliness");
    expect(litellm.readinessProbe?.httpGet?.path).toBe("/health/readiness");
    for (const probe of [litellm.startupProbe, litellm.livenessProbe, litellm.readinessProbe]) expect(probe?.timeoutSeconds).toBeGreaterThan(1);
    expect(litellm.lifecycle?.preStop[0].exec.command).toEqual(["sleep", "5"]);
    expect(litellm.env).toContainEqual({ name: "DISABLE_SCHEMA_UPDATE", value: "true" });
    expect(litellm.imagePullPolicy).toBe("IfNotPresent");
    // Longer than the router lets a request run (600 s by default).
    expect(pods.litellmGraceSeconds).toBeGreaterThan(600);
  });

  test("secrets reach the pods by reference only, and are all in the one Secret", () => {
    const all = [pods.litellm, pods.postgres, pods.migrations, pods.redis];
    const text = JSON.stringify(all);
    for (const value of ["sk-master", "sk-salt", "redis-pw", "sk-ant", "postgresql://"]) expect(text).not.toContain(value);
    expect(pods.secretData).toMatchObject({ LITELLM_MASTER_KEY: "sk-master", LITELLM_SALT_KEY: "sk-salt", POSTGRES_PASSWORD: "pw", REDIS_PASSWORD: "redis-pw", ANTHROPIC_API_KEY: "sk-ant" });
    expect(pods.litellm.env).toContainEqual({ name: "LITELLM_SALT_KEY", valueFrom: { secretKeyRef: { name: "litellm-env", key: "LITELLM_SALT_KEY" } } });
  });

  test("the migrations Job gets the database and nothing of the catalog; its name follows the image only", () => {
    expect(pods.migrations?.args).toEqual(["--skip_server_startup"]);
    expect(pods.migrations?.env.map((e) => e.name)).toContain("DATABASE_URL");
    expect(pods.migrations?.env.map((e) => e.name)).not.toContain("LITELLM_MASTER_KEY");
    expect(pods.migrations?.volumeMount).toBeUndefined();
    expect(migrationJobName("img:1")).toMatch(/^migrate-[0-9a-f]{10}$/);
    expect(migrationJobName("img:1")).not.toBe(migrationJobName("img:2"));
  });
});

describe("synthesized objects", () => {
  const synth = (config: ReturnType<typeof validConfig>) =>
    JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, projectDir: "/p" }))) as {
      resource: Record<string, Record<string, any>>;
      provider: Record<string, unknown>;
    };

  test("a namespace, a Secret, a ConfigMap, Postgres on a claim, the Job, Redis, LiteLLM, its Service and budget; no Docker", () => {
    const { resource, provider } = synth(kube());
    expect(Object.keys(provider)).toEqual(expect.arrayContaining(["kubernetes", "random"]));
    expect(provider.docker).toBeUndefined();
    expect(Object.keys(resource.kubernetes_deployment_v1).sort()).toEqual(["litellm", "postgres", "redis"]);
    expect(resource.kubernetes_persistent_volume_claim_v1["postgres-data"].wait_until_bound).toBe(false);
    const job = resource.kubernetes_job_v1.migrations;
    expect(job.wait_for_completion).toBe(true);
    expect(job.timeouts).toEqual({ create: "300s", update: "300s" });
    const litellm = resource.kubernetes_deployment_v1.litellm;
    expect(litellm.depends_on).toEqual(expect.arrayContaining(["kubernetes_job_v1.migrations"]));
    expect(litellm.spec.strategy).toEqual({ type: "RollingUpdate", rolling_update: { max_surge: "1", max_unavailable: "0" } });
    expect(Object.keys(resource.kubernetes_pod_disruption_budget_v1)).toEqual(["litellm-budget"]);
    expect(resource.kubernetes_service_v1["litellm-service"].spec.port[0].node_port).toBe(31232);
  });

  test("a catalog change changes the config checksum on the pods, not the Job; an image change renames the Job", () => {
    const before = synth(kube()).resource;
    const catalog = synth(kube({}, { models: [{ preset: "mock" }], router: {}, openclaw: {} })).resource;
    const image = synth(kube({}, { litellm: { image: "ghcr.io/berriai/litellm-database:v1.106.12" } })).resource;
    const checksum = (r: typeof before) => r.kubernetes_deployment_v1.litellm.spec.template.metadata.annotations["litellm-stack.io/config-sha256"];
    expect(checksum(catalog)).not.toBe(checksum(before));
    expect(catalog.kubernetes_job_v1.migrations).toEqual(before.kubernetes_job_v1.migrations);
    expect(image.kubernetes_job_v1.migrations.metadata.name).not.toBe(before.kubernetes_job_v1.migrations.metadata.name);
  });

  test("one replica has no disruption budget (it could never be evicted)", () => {
    expect(synth(kube({ replicas: 1 })).resource.kubernetes_pod_disruption_budget_v1).toBeUndefined();
  });

  test("a protected database marks both the claim and the namespace, which would delete the claim with it", () => {
    const { resource } = synth(kube({}, { database: { keepDataOnDestroy: true } }));
    expect(resource.terraform_data["data-protection"].input).toEqual(["kubernetes_persistent_volume_claim_v1.postgres-data", "kubernetes_namespace_v1.namespace"]);
    expect(resource.kubernetes_persistent_volume_claim_v1["postgres-data"].lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe("cluster checks and listings", () => {
  test("a namespace is the stack's own, another stack's, or nobody's", () => {
    expect(namespaceOwnerProblem("a", { [STACK_LABEL]: "s" }, "s")).toBeUndefined();
    expect(namespaceOwnerProblem("a", { [STACK_LABEL]: "t" }, "s")).toBe('namespace "a" belongs to stack "t": set kubernetes.namespace to a namespace of this stack\'s own');
    expect(namespaceOwnerProblem("default", {}, "s")).toMatch(/^namespace "default" exists and was not created by this stack/);
  });

  test("the allocator's refusals become the field and the next step", () => {
    expect(nodePortProblem(40000, 'Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767')).toBe(
      "kubernetes.service.nodePort 40000 is outside this cluster's node port range 30000-32767: choose a port in it",
    );
    expect(nodePortProblem(30400, "provided port is already allocated")).toMatch(/held by another Service of the cluster: choose another port$/);
  });

  test("stacks are read from LiteLLM Deployments' labels and annotation", () => {
    const stacks = stacksFromDeployments([
      {
        metadata: { namespace: "b", labels: { [STACK_LABEL]: "b", "litellm-stack.io/component": "litellm" }, annotations: { "litellm-stack.io/url": "http://localhost:30400" } },
        spec: { replicas: 2, template: { spec: { containers: [{ image: "img:1" }] } } },
        status: { readyReplicas: 1 },
      },
      { metadata: { namespace: "x", labels: { [STACK_LABEL]: "x", "litellm-stack.io/component": "postgres" } } },
    ]);
    expect(stacks).toEqual([{ stack: "b", url: "http://localhost:30400", image: "img:1", state: "1/2 ready (namespace b)" }]);
  });

  test("a kubeconfig's context: found with its credentials, or the contexts it has named", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
    const path = join(dir, "config");
    writeFileSync(
      path,
      [
        "current-context: a",
        "contexts: [{name: a, context: {cluster: c, user: u}}, {name: b, context: {cluster: c, user: u}}]",
        `clusters: [{name: c, cluster: {server: "https://10.0.0.1:6443/", certificate-authority-data: ${Buffer.from("CA").toString("base64")}}}]`,
        "users: [{name: u, user: {token: t0k}}]",
      ].join("\n"),
    );
    expect(kubeConnection({ configPath: path })).toMatchObject({ context: "a", server: "https://10.0.0.1:6443", token: "t0k" });
    expect(kubeConnection({ configPath: path, context: "b" }).tls.ca?.toString()).toBe("CA");
    expect(() => kubeConnection({ configPath: path, context: "prod" })).toThrow(`kubernetes.context "prod" is not in ${path} (its contexts: a, b): set kubernetes.context to one of them`);
    expect(() => kubeConnection({ configPath: join(dir, "none") })).toThrow(/cannot read the kubeconfig .*none \(ENOENT\): set KUBECONFIG or kubernetes.configPath/);
  });
});

describe("the tunnel through the API server", () => {
  test("the caller's key moves to x-litellm-api-key (the API server consumes Authorization); hop-by-hop headers stay behind", () => {
    expect(forwardedHeaders({ host: "127.0.0.1:1", connection: "keep-alive", authorization: "Bearer sk-m", "content-type": "application/json" }, {})).toEqual({
      "content-type": "application/json",
      "x-litellm-api-key": "Bearer sk-m",
    });
    expect(forwardedHeaders({ authorization: "Bearer sk-m" }, { token: "t0k" })).toEqual({ "x-litellm-api-key": "Bearer sk-m", authorization: "Bearer t0k" });
  });
});

describe("a release that fails", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  const pod = (name: string, created: string, status: object) => ({ metadata: { name, creationTimestamp: created, labels: { "litellm-stack.io/component": "litellm" } }, status: { containerStatuses: [{ name: "litellm", ready: false, restartCount: 0, ...status }] } });

  test("a new pod that cannot start, restarts, or stays unready is found with its cause; older pods are not judged", () => {
    const since = now - 60_000;
    expect(failedPod([pod("old", "2026-12-07T11:00:00Z", { restartCount: 9 })], since, now, 90_000)).toBeUndefined();
    expect(
      failedPod([pod("a", "2026-12-07T11:59:30Z", { restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } })], since, now, 90_000),
    ).toEqual({ pod: "a", deployment: "litellm", cause: "CrashLoopBackOff, last exit OOMKilled (code 137)", previous: true });
    expect(failedPod([pod("b", "2026-12-07T11:59:30Z", { state: { waiting: { reason: "ErrImageNeverPull", message: "image not present" } } })], since, now, 90_000)?.cause).toBe(
      "ErrImageNeverPull: image not present",
    );
    const unready = pod("c", "2026-12-07T11:59:30Z", { started: true, state: { running: { startedAt: "2026-12-07T11:59:35Z" } } });
    expect(failedPod([unready], since, now, 90_000)).toBeUndefined();
    expect(failedPod([unready], since, now + 70_000, 90_000)?.cause).toBe("started but not ready for 95 s");
  });

  test("the rollback takes the latest earlier release that still serves, without the hash label", () => {
    const rs = (revision: number, ready: number, memory: string) => ({
      metadata: { annotations: { "deployment.kubernetes.io/revision": String(revision) }, ownerReferences: [{ kind: "Deployment", name: "litellm" }] },
      spec: { template: { metadata: { labels: { app: "x", "pod-template-hash": `h${revision}` } }, spec: { memory } } },
      status: { readyReplicas: ready },
    });
    // 3 serves; 4 and 5 were failed releases (5 is the current one).
    expect(previousTemplate([rs(3, 2, "2Gi"), rs(4, 0, "256Mi"), rs(5, 0, "300Mi")], "litellm", 5)).toEqual({ metadata: { labels: { app: "x" } }, spec: { memory: "2Gi" } });
    expect(previousTemplate([rs(5, 0, "300Mi")], "litellm", 5)).toBeUndefined();
  });
});
