/** The three ways to run the stack: dev box, shared proxy from CI, disposable experiments. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { loadStackConfig } from "../../src/catalog/load-config";
import { destroyRefusal } from "../../src/catalog/data-protection";
import { exposureFindings, isLoopback } from "../../src/catalog/exposure";
import { EXPERIMENT_PORTS, experimentPort } from "../../src/catalog/experiment";
import { terraformEnv } from "../../src/catalog/terraform-env";
import { validateStackConfig } from "../../src/catalog/validate";
import { formatStacks, parseDockerPs, portClashProblems } from "../../src/lifecycle/running-stacks";
import { LiteLLMStack } from "../../stacks/litellm-stack";
import { configInput, presets, problemsOf } from "./helpers";

type Json = Record<string, any>;

function synth(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}, allowDataDeletion = false): Json {
  const config = validateStackConfig(configInput(overrides), presets, "test", env);
  return JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config, allowDataDeletion, projectDir: PROJECT_DIR })));
}
const PROJECT_DIR = "/home/dev/litellm-stack";
const containerNamed = (json: Json, name: string) =>
  (Object.values(json.resource.docker_container) as Json[]).find((c) => c.name === name) as Json;
const label = (resource: Json, key: string) => resource.labels.find((l: Json) => l.label === `io.litellm-stack.${key}`)?.value;

describe("dev box (the default)", () => {
  const json = synth({ name: "litellm" });

  test("local state, local engine, loopback port, deletable data", () => {
    expect(json.terraform.backend).toEqual({ local: { path: join(PROJECT_DIR, "terraform-state", "litellm.tfstate") } });
    expect(json.provider.docker).toEqual([{}]);
    expect(containerNamed(json, "litellm-litellm").ports).toEqual([{ internal: 4000, external: 4000, ip: "127.0.0.1" }]);
    expect(Object.values(json.resource.docker_volume)[0]).not.toHaveProperty("lifecycle.prevent_destroy", true);
    expect(json.output.base_url.value).toBe("http://localhost:4000");
  });

  test("binding on loopback needs no warning", () => {
    const config = validateStackConfig(configInput(), presets);
    expect(exposureFindings(config, {})).toEqual({ warnings: [], problems: [] });
    expect(["127.0.0.1", "127.1.2.3", "::1"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "10.0.0.5", "::"].some(isLoopback)).toBe(false);
  });
});

describe("shared proxy, provisioned from CI", () => {
  const shared = {
    name: "team",
    docker: { host: "ssh://deploy@llm.internal:2222", sshOpts: ["-o", "StrictHostKeyChecking=accept-new"] },
    litellm: { bindAddress: "0.0.0.0", port: 4000 },
    database: { keepDataOnDestroy: true },
    openclaw: { primary: "claude-opus-4-6", baseUrl: "https://llm.team.example" },
  };
  const env = { LITELLM_MASTER_KEY: "sk-operator-managed" };

  test("a relative docker.certPath is the checkout's, not the synthesized folder's where the provider runs", () => {
    const json = synth({ docker: { host: "tcp://llm.internal:2376", certPath: "certs/llm" } });
    expect(json.provider.docker).toEqual([{ host: "tcp://llm.internal:2376", cert_path: `${PROJECT_DIR}/certs/llm` }]);
    expect(synth({ docker: { host: "tcp://llm.internal:2376", certPath: "/etc/llm-certs" } }).provider.docker).toEqual([{ host: "tcp://llm.internal:2376", cert_path: "/etc/llm-certs" }]);
  });

  test("targets the remote engine with its ssh options", () => {
    const json = synth(shared, env);
    expect(json.provider.docker).toEqual([
      { host: "ssh://deploy@llm.internal:2222", ssh_opts: ["-o", "StrictHostKeyChecking=accept-new"] },
    ]);
  });

  test("binds where the operator says and advertises the shared URL", () => {
    const json = synth(shared, env);
    expect(containerNamed(json, "team-litellm").ports).toEqual([{ internal: 4000, external: 4000, ip: "0.0.0.0" }]);
    expect(json.output.base_url.value).toBe("https://llm.team.example");
    expect(json.output.openclaw_snippet.value).toContain("baseUrl: 'https://llm.team.example'");
    expect(label(containerNamed(json, "team-litellm"), "url")).toBe("https://llm.team.example");
  });

  test("a plain destroy refuses to delete the spend database; the deliberate switch allows it", () => {
    const volumeOf = (json: Json) => Object.values(json.resource.docker_volume)[0] as Json;
    expect(volumeOf(synth(shared, env)).lifecycle).toEqual({ prevent_destroy: true });
    expect(volumeOf(synth(shared, env, true)).lifecycle).toEqual({ prevent_destroy: false });
  });

  test("a plain npm run destroy refuses before touching anything; the switch lets it through", () => {
    const config = validateStackConfig(configInput(shared), presets);
    expect(destroyRefusal(config, {})).toEqual([
      {
        path: "database.keepDataOnDestroy",
        message: 'the spend database of "team" is protected: nothing was destroyed. To delete the stack with its data, run with LITELLM_DELETE_DATA=yes',
      },
    ]);
    expect(destroyRefusal(config, { LITELLM_DELETE_DATA: "yes" })).toEqual([]);
    expect(destroyRefusal(validateStackConfig(configInput(), presets), {})).toEqual([]);
  });

  test.each([
    ["s3", { type: "s3", bucket: "tf-state", key: "litellm/team.tfstate", region: "eu-west-1", dynamodbTable: "tf-locks" },
      { s3: { bucket: "tf-state", key: "litellm/team.tfstate", region: "eu-west-1", dynamodb_table: "tf-locks", encrypt: true } }],
    // Without a table, S3's own lock file (Terraform 1.10+): never an unlocked shared state.
    ["s3 with its lock file", { type: "s3", bucket: "tf-state", key: "litellm/team.tfstate", region: "eu-west-1" },
      { s3: { bucket: "tf-state", key: "litellm/team.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true } }],
    ["an S3-compatible server", { type: "s3", bucket: "tf-state", key: "litellm/team.tfstate", region: "us-east-1", endpoint: "https://minio.internal:9000" },
      { s3: {
        bucket: "tf-state", key: "litellm/team.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true,
        endpoints: { s3: "https://minio.internal:9000" }, use_path_style: true,
        skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true,
      } }],
    ["pg", { type: "pg", connStr: "postgres://state.internal/terraform?sslmode=require" },
      { pg: { conn_str: "postgres://state.internal/terraform?sslmode=require" } }],
    ["http", { type: "http", address: "https://state.internal/litellm", lockAddress: "https://state.internal/litellm/lock" },
      { http: { address: "https://state.internal/litellm", lock_address: "https://state.internal/litellm/lock" } }],
  ])("keeps state in the team's %s backend", (_type, backend, expected) => {
    expect(synth({ ...shared, backend }, env).terraform.backend).toEqual(expected);
  });

  test("warns about the exposure, naming address, port and host; and about the dashboard whose password is the master key", () => {
    const config = validateStackConfig(configInput(shared), presets);
    const exposure = "warning: litellm.bindAddress 0.0.0.0 publishes the proxy on port 4000 of every interface of ssh://deploy@llm.internal:2222: keep it behind a firewall or a TLS reverse proxy";
    expect(exposureFindings(config, env)).toEqual({
      warnings: [
        exposure,
        "warning: LiteLLM's dashboard (/ui) is reachable there too, and its password is the master key: set LITELLM_UI_PASSWORD to give it one of its own, or dashboard.enabled: false",
      ],
      problems: [],
    });
    // A password of its own, or no dashboard: only the exposure itself.
    expect(exposureFindings(config, { ...env, LITELLM_UI_PASSWORD: "ui-pass" }).warnings).toEqual([exposure]);
    const noDashboard = validateStackConfig(configInput({ ...shared, dashboard: { enabled: false } }), presets);
    expect(exposureFindings(noDashboard, env).warnings).toEqual([exposure]);
  });

  test("fails when bound beyond loopback without an operator-managed master key", () => {
    const config = validateStackConfig(configInput(shared), presets);
    for (const badEnv of [{}, { LITELLM_MASTER_KEY: "not-sk" }]) {
      expect(exposureFindings(config, badEnv).problems).toEqual([
        {
          path: "litellm.bindAddress",
          message: "0.0.0.0 is beyond loopback, which needs master key protection: set LITELLM_MASTER_KEY (sk-...) in the environment",
        },
      ]);
    }
  });

  test.each(["ssh//deploy@host", "http://host:2375", "tcp://", "ssh://user@host:port"])("fails on docker host %p", (host) => {
    expect(problemsOf(configInput({ docker: { host } }))).toEqual([expect.stringMatching(/^docker\.host: must be unix:/)]);
  });

  test("fails on a malformed DOCKER_HOST in the environment, naming it", () => {
    expect(() => validateStackConfig(configInput(), presets, "test", { DOCKER_HOST: "localhost:2375" })).toThrow(
      /DOCKER_HOST \(environment\): "localhost:2375" must be unix:/,
    );
  });

  test("fails on backend URLs that carry a password, and on unknown backend types", () => {
    expect(problemsOf(configInput({ backend: { type: "pg", connStr: "postgres://admin:hunter2@state/tf" } }))).toEqual([
      "backend.connStr: must not contain a password: set PGPASSWORD (or PGUSER/PGPASSWORD) in the environment",
    ]);
    expect(problemsOf(configInput({ backend: { type: "consul" } }))).toEqual([expect.stringMatching(/^backend\.type: /)]);
  });

  test("secrets reach Terraform as TF_VAR_* from the environment only", () => {
    const config = validateStackConfig(configInput(), presets);
    const env = terraformEnv(config, { LITELLM_MASTER_KEY: "sk-a", OPENAI_API_KEY: "o", TF_VAR_ANTHROPIC_API_KEY: "explicit", ANTHROPIC_API_KEY: "ignored" });
    expect(env).toMatchObject({ TF_VAR_LITELLM_MASTER_KEY: "sk-a", TF_VAR_OPENAI_API_KEY: "o", TF_VAR_ANTHROPIC_API_KEY: "explicit" });
    expect(env).not.toHaveProperty("TF_VAR_LITELLM_SALT_KEY");
  });
});

describe("disposable experiments", () => {
  const experiment = (name: string, overrides: Record<string, unknown> = {}) =>
    validateStackConfig(configInput({ name: "litellm", ...overrides }), presets, "test", { EXPERIMENT: name });

  test("EXPERIMENT gives every resource its own name, label and state file", () => {
    const json = synth({ name: "litellm" }, { EXPERIMENT: "prompt-cache" });
    expect(Object.values(json.resource.docker_container).map((c: any) => c.name).sort()).toEqual([
      "litellm-exp-prompt-cache-litellm",
      "litellm-exp-prompt-cache-postgres",
    ]);
    expect((Object.values(json.resource.docker_network)[0] as Json).name).toBe("litellm-exp-prompt-cache-net");
    expect((Object.values(json.resource.docker_volume)[0] as Json).name).toBe("litellm-exp-prompt-cache-pgdata");
    for (const resource of [json.resource.docker_network, json.resource.docker_volume, json.resource.docker_container].flatMap(
      (group) => Object.values(group) as Json[],
    )) {
      expect(label(resource, "experiment")).toBe("prompt-cache");
    }
    expect(json.terraform.backend.local.path).toBe(join(PROJECT_DIR, "terraform-state", "litellm-exp-prompt-cache.tfstate"));
  });

  test("each experiment gets a stable port of its own, and the URL follows it", () => {
    const a = experiment("a");
    const b = experiment("b");
    expect(a.litellm.port).toBe(experimentPort("litellm-exp-a"));
    expect(experiment("a").litellm.port).toBe(a.litellm.port);
    expect(b.litellm.port).not.toBe(a.litellm.port);
    for (const config of [a, b]) {
      expect(config.litellm.port).toBeGreaterThanOrEqual(EXPERIMENT_PORTS.first);
      expect(config.litellm.port).toBeLessThan(EXPERIMENT_PORTS.first + EXPERIMENT_PORTS.count);
      expect(config.openclaw.baseUrl).toBe(`http://localhost:${config.litellm.port}`);
    }
  });

  test("a port set in the file wins; the experiment can go without Postgres", () => {
    const config = experiment("x", { litellm: { port: 4555 }, database: { enabled: false } });
    expect(config.litellm.port).toBe(4555);
    const json = synth({ name: "litellm", database: { enabled: false } }, { EXPERIMENT: "light" });
    expect(json.resource.docker_volume).toBeUndefined();
    expect(Object.keys(json.resource.docker_container)).toHaveLength(1);
  });

  test("fails on an invalid experiment name, from the environment or the file", () => {
    expect(() => experiment("Not Valid")).toThrow(/EXPERIMENT \(environment\): "Not Valid" must be 1-20 lowercase/);
    expect(problemsOf(configInput({ experiment: "x".repeat(21) }))).toEqual([expect.stringMatching(/^experiment: must be 1-20/)]);
  });

  test("fails before deploying when another stack on the host holds the port", () => {
    const a = experiment("a");
    const running = [
      { stack: "litellm-exp-other", experiment: "other", port: a.litellm.port, state: "running" },
      { stack: "litellm-exp-a", experiment: "a", port: a.litellm.port, state: "running" },
    ];
    expect(portClashProblems(a, running)).toEqual([
      {
        path: "litellm.port",
        message: `${a.litellm.port} is already published by stack "litellm-exp-other" on this Docker host: choose another experiment name, or set litellm.port`,
      },
    ]);
    // The file sets the port: another experiment name would ask for the same one.
    const fixed = validateStackConfig(configInput({ experiment: "b", litellm: { port: a.litellm.port } }), presets);
    expect(portClashProblems(fixed, running)[0].message).toMatch(/: choose another litellm\.port$/);
    // Its own earlier deployment is no clash: redeploying is allowed.
    expect(portClashProblems(a, running.slice(1))).toEqual([]);
  });
});

test("the shipped stack.config.yaml leaves the port to the default, so each experiment of it gets its own", () => {
  const file = join(__dirname, "..", "..", "stack.config.yaml");
  expect(loadStackConfig(file, presets, {}).litellm.port).toBe(4000);
  const experiment = loadStackConfig(file, presets, { EXPERIMENT: "try" });
  expect(experiment.litellm.port).not.toBe(4000);
  expect(experiment.litellm.port).toBe(experimentPort("litellm-exp-try"));
});

describe("listing the stacks on a host", () => {
  const ps = [
    JSON.stringify({ Labels: "io.litellm-stack.stack=litellm-exp-b,io.litellm-stack.experiment=b,io.litellm-stack.port=41234,io.litellm-stack.url=http://localhost:41234,other=x=y", State: "running" }),
    JSON.stringify({ Labels: "io.litellm-stack.stack=litellm,io.litellm-stack.port=4000,io.litellm-stack.url=http://localhost:4000,io.litellm-stack.image=ghcr.io/berriai/litellm-database:v1.108.5", State: "exited" }),
  ].join("\n");

  test("reads stacks from container labels", () => {
    expect(parseDockerPs(ps)).toEqual([
      { stack: "litellm", port: 4000, url: "http://localhost:4000", image: "ghcr.io/berriai/litellm-database:v1.108.5", state: "exited" },
      { stack: "litellm-exp-b", experiment: "b", port: 41234, url: "http://localhost:41234", state: "running" },
    ]);
  });

  test("prints aligned columns", () => {
    expect(formatStacks(parseDockerPs(ps))).toBe(
      [
        "STACK          EXPERIMENT  URL                     IMAGE                                      STATE",
        "litellm        -           http://localhost:4000   ghcr.io/berriai/litellm-database:v1.108.5  exited",
        "litellm-exp-b  b           http://localhost:41234  -                                          running",
      ].join("\n"),
    );
    expect(formatStacks([])).toBe("no LiteLLM stacks on this Docker host");
  });

  test("a swarm stack is one row: its replicas counted, the port its load balancer publishes (swarm objects have no port label)", () => {
    const swarmPs = [
      JSON.stringify({ Labels: "io.litellm-stack.stack=team,io.litellm-stack.component=litellm", State: "running" }),
      JSON.stringify({ Labels: "io.litellm-stack.stack=team,io.litellm-stack.component=litellm", State: "running" }),
      JSON.stringify({ Labels: "io.litellm-stack.stack=team,io.litellm-stack.component=litellm", State: "exited" }),
      JSON.stringify({ Labels: "io.litellm-stack.stack=team,io.litellm-stack.component=load-balancer", State: "running", Ports: "0.0.0.0:4620->4620/tcp, :::4620->4620/tcp" }),
      // `npm run stacks` asks for every component: the others are not the stack's rows.
      JSON.stringify({ Labels: "io.litellm-stack.stack=team,io.litellm-stack.component=redis", State: "running" }),
      JSON.stringify({ Labels: "io.litellm-stack.stack=team,io.litellm-stack.component=postgres", State: "running", Ports: "5432/tcp" }),
    ].join("\n");
    expect(parseDockerPs(swarmPs)).toEqual([{ stack: "team", port: 4620, state: "2 running" }]);
    expect(formatStacks(parseDockerPs(swarmPs))).toContain("team   -           port 4620  -      2 running");
  });

  test("never prints a label's control characters raw", () => {
    const hostile = JSON.stringify({ Labels: "io.litellm-stack.stack=evil\u001b[2J,io.litellm-stack.url=http://x/\u0007", State: "running" });
    const table = formatStacks(parseDockerPs(hostile));
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(table).toContain("evil\\u001b[2J");
  });
});

describe("the shared-proxy example", () => {
  const examples = join(__dirname, "../../examples");

  test("validates and synthesizes with an operator master key, and is refused without one", () => {
    const config = loadStackConfig(join(examples, "shared.config.yaml"), presets, {});
    expect(config.backend.type).toBe("s3");
    expect(exposureFindings(config, {}).problems).toHaveLength(1);
    expect(exposureFindings(config, { LITELLM_MASTER_KEY: "sk-team" }).problems).toEqual([]);
    const json = JSON.parse(Testing.synth(new LiteLLMStack(Testing.app(), config.name, { config })));
    expect((Object.values(json.resource.docker_volume)[0] as Json).lifecycle).toEqual({ prevent_destroy: true });
  });

  test("the workflow deploys on merge and destroys on request", () => {
    const workflow = parse(readFileSync(join(examples, "github-actions/shared-proxy.yml"), "utf8"));
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.on.workflow_dispatch.inputs.action.options).toEqual(["deploy", "destroy", "destroy-with-data"]);
    const runs = workflow.jobs.proxy.steps.map((s: Json) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(["npm run deploy", "npm run destroy"]));
    expect(workflow.jobs.proxy.env.LITELLM_STACK_CONFIG).toBe("examples/shared.config.yaml");
  });

  test("the workflow gives secrets only to the steps that need them, pins actions by commit and the host key from a secret", () => {
    const text = readFileSync(join(examples, "github-actions/shared-proxy.yml"), "utf8");
    const workflow = parse(text);
    const job = workflow.jobs.proxy;
    expect(JSON.stringify(job.env)).not.toContain("secrets.");
    for (const step of job.steps as Json[]) {
      if (step.uses) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
      if (step.run === "npm ci" || step.run === "npm test") expect(step.env).toBeUndefined();
      if (step.uses?.startsWith("actions/upload-artifact")) expect(step.with.path).not.toMatch(/tfstate|terraform-state|\.tfplan/);
    }
    expect(text).not.toContain("ssh-keyscan -H");
    const sshStep = (job.steps as Json[]).find((s) => s.run?.includes("known_hosts"));
    expect(sshStep?.env.DOCKER_HOST_KNOWN_HOSTS).toBe("${{ secrets.DOCKER_HOST_KNOWN_HOSTS }}");
    const deploy = (job.steps as Json[]).find((s) => s.run === "npm run deploy");
    expect(Object.keys(deploy?.env ?? {})).toEqual(expect.arrayContaining(["LITELLM_MASTER_KEY", "AWS_ACCESS_KEY_ID"]));
  });
});
