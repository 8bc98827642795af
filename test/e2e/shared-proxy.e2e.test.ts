/**
 * A shared proxy provisioned from CI, for real. The example workflow
 * (examples/github-actions/shared-proxy.yml) is read and its own `run:` steps are run, with its
 * conditions and per-step environment, by an unprivileged runner user with a fresh workspace per
 * job, against:
 *   - a second Docker Engine that the runner reaches only through ssh (dockerd + sshd in a container
 *     of the suite's own, sshd published on 127.0.0.1 only; the runner cannot reach the local socket),
 *   - the S3 backend on a real S3-compatible server (moto), locked by Terraform's S3 lock file,
 *   - the real Terraform and providers (the mirror), LiteLLM with its database, Postgres and Redis.
 * Only the job's "where things are" (DOCKER_HOST, LITELLM_STACK_CONFIG) is replaced; `uses:` steps
 * have stand-ins (checkout copies the project, upload-artifact reads the files it would upload).
 * Also: tcp:// with TLS (docker.certPath), accepted with the right certificates and refused without.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { LABEL_PREFIX, resourceNames } from "../../src/specs/service-specs";
import { CiRunner, ciRunnerUnavailableReason } from "./harness/ci-runner";
import { type CommandResult, lastLineOf } from "./harness/collect-output";
import { Checkout, mirrorCliConfig, PROJECT_ROOT, realPathUnavailableReason } from "./harness/checkout";
import { assertEngineAnswers, objectsLabelled } from "./harness/engine";
import { buildLocalImages, tagAsPinned } from "./harness/images";
import { chat, getJson } from "./harness/proxy-client";
import { makeTlsCertificates, RemoteEngine } from "./harness/remote-engine";
import { S3Server } from "./harness/s3-server";
import { waitFor } from "./harness/wait";
import { conditionHolds, type ExpressionContext, parseStepOutputs, readWorkflow, substitute, type WorkflowJob, type WorkflowStep } from "./harness/workflow";

assertEngineAnswers();
const unavailable = realPathUnavailableReason() ?? ciRunnerUnavailableReason();
if (unavailable) console.warn(`SKIPPED the shared-proxy suite (the example workflow's steps against a remote engine): ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const WORKFLOW_FILE = join(PROJECT_ROOT, "examples", "github-actions", "shared-proxy.yml");
const EXAMPLE_CONFIG = join(PROJECT_ROOT, "examples", "shared.config.yaml");
const workflow = readWorkflow(WORKFLOW_FILE);
const proxyJob = workflow.jobs.find((job) => job.id === "proxy") as WorkflowJob;
const smokeJob = workflow.jobs.find((job) => job.id === "smoke") as WorkflowJob;
const example = parse(readFileSync(EXAMPLE_CONFIG, "utf8")) as Record<string, any>;
const TEAM_A = example.name as string;
const TEAM_B = `team-b-${runId}`.slice(0, 20);
const BUCKET = "acme-terraform-state";
const PINNED_POSTGRES = example.database.image as string;
const PINNED_REDIS = "redis:8.2.2";

let remote: RemoteEngine;
let s3: S3Server;
let runner: CiRunner;
let privateKey: string;
let tlsClientDir: string;
let otherCaClientDir: string;
const scratch = mkdtempSync(join(tmpdir(), "litellm-shared-proxy-"));

/** Each team's secrets, as its CI environment holds them. */
function teamSecrets(team: string): Record<string, string> {
  const secret = (prefix: string) => `${prefix}${team}-${randomBytes(12).toString("hex")}`;
  return {
    LITELLM_MASTER_KEY: secret("sk-master-"),
    LITELLM_SALT_KEY: secret("sk-salt-"),
    LITELLM_DB_PASSWORD: secret("dbpw-"),
    ANTHROPIC_API_KEY: secret("sk-ant-fake-"),
    OPENAI_API_KEY: secret("sk-openai-fake-"),
    GEMINI_API_KEY: secret("gemini-fake-"),
    STATE_AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    STATE_AWS_SECRET_ACCESS_KEY: secret("aws-secret-"),
  };
}
const secretsA = teamSecrets("a");
const secretsB = teamSecrets("b");
const sshSecrets = () => ({ DOCKER_HOST_SSH_KEY: privateKey, DOCKER_HOST_KNOWN_HOSTS: remote.knownHostsLine() });

/** The example configuration, pointed at this machine's S3 server and remote engine. */
function teamConfig(name: string, port: number): Record<string, unknown> {
  return {
    ...example,
    name,
    // Beside the other lanes on 2 cores, a first boot with its migrations on the engine in a container
    // has taken more than the default 300 s (load average 6-9): what a slow shared host would set.
    litellm: { ...example.litellm, port, startTimeoutSeconds: 900 },
    backend: { ...example.backend, bucket: BUCKET, key: `litellm/${name}.tfstate`, endpoint: s3.endpoint },
    openclaw: { ...example.openclaw, baseUrl: remote.url(port) },
    keys: [{ alias: "ci-smoke", maxBudget: 1 }],
  };
}
/** The proxies' ports on the remote engine, published on 127.0.0.1 here (RemoteEngine.url). */
const [PORT_A, PORT_B, PORT_TLS] = [4000, 4001, 4002];
const baseUrlOf = (config: Record<string, any>) => config.openclaw.baseUrl as string;

/** What a runner machine provides: the provider mirror in place of the registry this machine cannot reach. */
let machineEnv: Record<string, string>;

/** The job's environment with only "where things are" replaced; anything else the workflow adds fails here first. */
function jobEnv(): Record<string, string> {
  expect(Object.keys(proxyJob.env).sort()).toEqual(["CI", "DOCKER_HOST", "LITELLM_STACK_CONFIG"]);
  return { ...proxyJob.env, DOCKER_HOST: remote.sshHost, LITELLM_STACK_CONFIG: "team.config.yaml", ...machineEnv };
}

interface StepOutcome extends CommandResult {
  readonly name: string;
  readonly skipped: boolean;
}

interface JobRun {
  readonly workspace: string;
  readonly steps: readonly StepOutcome[];
  readonly outputs: Readonly<Record<string, string>>;
  /** upload-artifact's files: path -> contents. */
  readonly artifacts: Readonly<Record<string, string>>;
  step(name: RegExp): StepOutcome;
}

/** The stand-ins for the workflow's `uses:` steps; an action without one fails the suite, naming it. */
function runAction(step: WorkflowStep, workspace: string, artifacts: Record<string, string>): CommandResult {
  const done = (stdout: string, status = 0): CommandResult => ({ status, stdout, stderr: "", lastLine: lastLineOf(stdout), seconds: 0 });
  const action = (step.uses ?? "").split("@")[0];
  switch (action) {
    case "actions/checkout":
      return done(`checked out into ${workspace}`);
    case "actions/setup-node": {
      const major = Number(process.versions.node.split(".")[0]);
      return done(`node ${process.versions.node}`, major >= Number(step.with?.["node-version"]) ? 0 : 1);
    }
    case "hashicorp/setup-terraform":
      return done(spawnSync("terraform", ["version"], { encoding: "utf8" }).stdout.split("\n")[0]);
    case "actions/upload-artifact":
      // GitHub's default for a path that matches nothing is a warning, not a failure.
      for (const path of String(step.with?.path ?? "").split("\n").map((p) => p.trim()).filter(Boolean)) {
        const file = join(workspace, path);
        if (existsSync(file)) artifacts[path] = readFileSync(file, "utf8");
      }
      return done(`uploaded ${Object.keys(artifacts).join(", ")}`);
    default:
      throw new Error(`the suite has no stand-in for the action ${step.uses}: add one to shared-proxy.e2e.test.ts`);
  }
}

/** One run of the `proxy` job for an event, in a fresh workspace holding `config` as team.config.yaml. */
async function runProxyJob(
  event: string,
  inputs: Record<string, string>,
  config: Record<string, unknown>,
  secrets: Record<string, string>,
): Promise<JobRun> {
  const workspace = runner.checkout();
  writeFileSync(join(workspace, "team.config.yaml"), stringify(config));
  runner.own(workspace);
  const steps: StepOutcome[] = [];
  const stepOutputs: Record<string, Record<string, string>> = {};
  const artifacts: Record<string, string> = {};
  let failed = false;
  for (const [index, step] of proxyJob.steps.entries()) {
    const ctx: ExpressionContext = { event, inputs, secrets, steps: stepOutputs };
    if (!conditionHolds(step.if, ctx, failed)) {
      steps.push({ name: step.name, skipped: true, status: 0, stdout: "", stderr: "", lastLine: "", seconds: 0 });
      continue;
    }
    let result: CommandResult;
    if (step.uses) {
      result = runAction(step, workspace, artifacts);
    } else {
      const outputFile = join(runner.home, `github-output-${steps.length}-${index}-${Date.now()}`);
      writeFileSync(outputFile, "");
      runner.own(outputFile);
      const stepEnv = Object.fromEntries(Object.entries(step.env).map(([name, value]) => [name, substitute(value, ctx)]));
      result = await runner.run(step.run as string, workspace, { ...jobEnv(), ...stepEnv, GITHUB_OUTPUT: outputFile });
      if (step.id) stepOutputs[step.id] = parseStepOutputs(readFileSync(outputFile, "utf8"));
      rmSync(outputFile, { force: true });
    }
    steps.push({ name: step.name, skipped: false, ...result });
    process.stdout.write(`[${event}${inputs.action ? ` ${inputs.action}` : ""}] ${step.name.split("\n")[0].slice(0, 60)}: exit ${result.status} (${result.seconds.toFixed(1)} s) ${result.lastLine.slice(0, 300)}\n`);
    if (result.status !== 0) failed = true;
  }
  const ctx: ExpressionContext = { event, inputs, secrets, steps: stepOutputs };
  const outputs = Object.fromEntries(Object.entries(proxyJob.outputs).map(([name, value]) => [name, substitute(value, ctx)]));
  return {
    workspace,
    steps,
    outputs,
    artifacts,
    step(name: RegExp) {
      const found = steps.find((s) => name.test(s.name));
      if (!found) throw new Error(`the workflow has no step named like ${name}`);
      return found;
    },
  };
}

/** The later job, with the proxy job's outputs, in an empty workspace of its own. */
async function runSmokeJob(outputs: Record<string, string>): Promise<StepOutcome[]> {
  const ctx: ExpressionContext = { event: "push", inputs: {}, secrets: {}, needs: { proxy: outputs } };
  if (!conditionHolds(smokeJob.if, ctx, false)) return [];
  const workspace = join(runner.home, `smoke-${Date.now()}`);
  mkdirSync(workspace);
  runner.own(workspace);
  const steps: StepOutcome[] = [];
  for (const step of smokeJob.steps) {
    const env = Object.fromEntries(Object.entries(step.env).map(([name, value]) => [name, substitute(value, ctx)]));
    steps.push({ name: step.name, skipped: false, ...(await runner.run(step.run as string, workspace, { CI: "true", ...env })) });
  }
  return steps;
}

/** A command a teammate runs in a job's workspace, with the secrets it needs. */
function inWorkspace(workspace: string, command: string, secrets: Record<string, string>): Promise<CommandResult> {
  return runner.run(command, workspace, {
    ...jobEnv(),
    LITELLM_MASTER_KEY: secrets.LITELLM_MASTER_KEY,
    AWS_ACCESS_KEY_ID: secrets.STATE_AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: secrets.STATE_AWS_SECRET_ACCESS_KEY,
  });
}

/** Fails naming the secret and where it was seen. */
function expectNoSecrets(where: string, text: string, secrets: Record<string, string>): void {
  const values = { ...secrets, DOCKER_HOST_SSH_KEY: privateKey.split("\n")[1] };
  for (const [name, value] of Object.entries(values)) {
    if (value && text.includes(value)) throw new Error(`${name} appears in ${where}`);
  }
}

/** Every file under a folder, as text. */
function filesUnder(dir: string): [string, string][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((entry) => join(dir, entry))
    .filter((file) => statSync(file).isFile() && !file.includes(`${join(".terraform", "providers")}`))
    .map((file) => [file, readFileSync(file, "latin1")]);
}

function expectJobClean(job: JobRun, secrets: Record<string, string>): void {
  for (const step of job.steps) expectNoSecrets(`the log of step "${step.name}"`, step.stdout + step.stderr, secrets);
  for (const [path, text] of Object.entries(job.artifacts)) expectNoSecrets(`the artifact ${path}`, text, secrets);
  for (const [file, text] of filesUnder(join(job.workspace, "cdktf.out"))) expectNoSecrets(file, text, secrets);
}

/** The remote engine's containers, volumes and networks of one stack. */
const remoteObjects = (stack: string) => remote.objectsLabelled(`${LABEL_PREFIX}.stack=${stack}`);

const containerIds = (stack: string) =>
  remote.cli(["ps", "--all", "--filter", `label=${LABEL_PREFIX}.stack=${stack}`, "--format", "{{.Names}} {{.ID}}"]).stdout.split("\n").filter(Boolean).sort();

async function virtualKey(workspace: string, secrets: Record<string, string>): Promise<string> {
  const got = await inWorkspace(workspace, "npm run --silent keys -- get ci-smoke", secrets);
  expect(got.status).toBe(0);
  return got.stdout.trim();
}

function expectStep(job: JobRun, name: RegExp, status: number, last?: RegExp): void {
  const step = job.step(name);
  if (step.status !== status) process.stdout.write(`--- ${step.name}\n--- stdout\n${step.stdout.slice(-3000)}\n--- stderr\n${step.stderr.slice(-4000)}\n`);
  expect(step.skipped).toBe(false);
  expect(step.status).toBe(status);
  if (last) expect(step.lastLine).toMatch(last);
}

describeReal("a shared proxy provisioned from CI: the example workflow's steps, a remote engine over ssh, state in S3", () => {
  const configA = () => teamConfig(TEAM_A, PORT_A);
  const configB = () => teamConfig(TEAM_B, PORT_B);
  let deployedWorkspace: string;

  beforeAll(async () => {
    const images = buildLocalImages();
    const pinned = [tagAsPinned(PINNED_LITELLM_IMAGE, images), tagAsPinned(PINNED_POSTGRES, images), tagAsPinned(PINNED_REDIS, images)];
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `ci-${runId}`, "-f", join(scratch, "deploy-key")]);
    privateKey = readFileSync(join(scratch, "deploy-key"), "utf8");
    const certs = makeTlsCertificates(join(scratch, "tls"));
    tlsClientDir = certs.clientDir;
    otherCaClientDir = makeTlsCertificates(join(scratch, "other-ca")).clientDir;
    [remote, s3] = await Promise.all([
      RemoteEngine.start({
        image: images.remoteEngine,
        name: `e2e-remote-engine-${runId}`,
        authorizedKey: readFileSync(join(scratch, "deploy-key.pub"), "utf8").trim(),
        serverCertsDir: certs.serverDir,
        publish: [PORT_A, PORT_B, PORT_TLS],
      }),
      S3Server.start(images.moto, `e2e-s3-${runId}`),
    ]);
    await remote.loadImages(pinned);
    await s3.createBucket(BUCKET);
    runner = CiRunner.create(`lcr-${runId}`);
    mkdirSync(join(runner.home, "machine"));
    machineEnv = {
      TF_CLI_CONFIG_FILE: mirrorCliConfig(join(runner.home, "machine")),
      TERRAFORM_PROVIDER_MIRROR: resolveMirror(),
    };
    runner.own(join(runner.home, "machine"));
  }, 20 * 60_000);

  afterAll(async () => {
    await remote?.remove();
    await s3?.remove();
    runner?.remove();
    rmSync(scratch, { recursive: true, force: true });
  }, 5 * 60_000);

  test("the workflow's triggers and jobs are the ones this suite runs", () => {
    expect(workflow.events).toEqual(expect.arrayContaining(["push", "schedule", "workflow_dispatch"]));
    expect(proxyJob.steps.some((s) => s.run?.includes("npm run drift"))).toBe(true);
    expect(smokeJob.needs).toEqual(["proxy"]);
  });

  test("a wrong host key is refused before anything is created, on the engine or in the state bucket", async () => {
    const impostor = join(scratch, "impostor");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", impostor]);
    const wrongLine = `[127.0.0.1]:${remote.sshPort} ${readFileSync(`${impostor}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ")}`;
    const job = await runProxyJob("workflow_dispatch", { action: "deploy" }, configA(), { ...secretsA, ...sshSecrets(), DOCKER_HOST_KNOWN_HOSTS: wrongLine });
    expectStep(job, /^deploy$/, 1, /^error: no Docker Engine answers at ssh:\/\/deploy@127\.0\.0\.1:\d+: the Docker host's ssh key is not the one known_hosts holds for it\. Next: .+\. Nothing was changed$/);
    expect(job.step(/remove the ssh key/).status).toBe(0);
    expect(remote.cli(["ps", "--all", "--format", "{{.Names}}"]).stdout.trim()).toBe("");
    expect(await s3.objects(BUCKET)).toEqual({});
    expectJobClean(job, { ...secretsA, DOCKER_HOST_SSH_KEY: "" });
  }, 15 * 60_000);

  test("push: install, tests, deploy to the remote engine over ssh with state in S3, and the URL for a later job", async () => {
    const config = configA();
    const job = await runProxyJob("push", {}, config, { ...secretsA, ...sshSecrets() });
    expectStep(job, /^npm test$/, 0);
    // The unit suite as an unprivileged runner: what it skips there, and why, goes to the log.
    for (const line of (job.step(/^npm test$/).stdout + job.step(/^npm test$/).stderr).split("\n").filter((l) => /SKIPPED|Tests:/.test(l))) process.stdout.write(`[push] npm test: ${line.trim()}\n`);
    expectStep(job, /^deploy$/, 0, new RegExp(`^stack "${TEAM_A}" deployed$`));
    for (const step of job.steps.filter((s) => !s.skipped)) expect({ step: step.name, status: step.status }).toEqual({ step: step.name, status: 0 });
    expect(job.steps.filter((s) => s.skipped).map((s) => s.name)).toEqual([
      expect.stringMatching(/^drift check/),
      expect.stringMatching(/^destroy \(refuses/),
      expect.stringMatching(/^destroy, deleting/),
    ]);
    deployedWorkspace = job.workspace;

    // There, and nowhere else: the remote engine runs the stack; the local engine and the checkout hold none of it.
    expect(remoteObjects(TEAM_A).containers.sort()).toEqual(Object.values(resourceNames(TEAM_A)).filter((n) => /(litellm|postgres|redis)$/.test(n)).sort());
    expect((await objectsLabelled(`${LABEL_PREFIX}.stack=${TEAM_A}`)).containers).toEqual([]);
    expect(existsSync(join(job.workspace, "terraform-state"))).toBe(false);
    // .terraform/terraform.tfstate is Terraform's record of the backend's settings, not a state.
    expect(filesUnder(job.workspace).filter(([file]) => file.endsWith(".tfstate") && !file.includes("/.terraform/")).map(([file]) => file)).toEqual([]);
    const objects = await s3.objects(BUCKET);
    expect(Object.keys(objects)).toEqual([`litellm/${TEAM_A}.tfstate`]); // no lock file left behind
    expect(objects[`litellm/${TEAM_A}.tfstate`]).toBeGreaterThan(1000);

    // The outputs a later job reads, and that job.
    expect(job.outputs).toEqual({ base_url: baseUrlOf(config) });
    const smoke = await runSmokeJob(job.outputs as Record<string, string>);
    expect(smoke.map((s) => s.status)).toEqual([0]);
    expect(Object.keys(job.artifacts).sort()).toEqual([`cdktf.out/stacks/${TEAM_A}/openclaw.json5`, "outputs.json"]);
    expect(JSON.parse(job.artifacts["outputs.json"])[TEAM_A].base_url).toBe(baseUrlOf(config));
    expectJobClean(job, secretsA);

    // The declared key, made by the deploy through the remote proxy, serves.
    const key = await virtualKey(job.workspace, secretsA);
    expect((await chat(baseUrlOf(config), key, { model: "mock", messages: [{ role: "user", content: `hello from ${runId}` }] })).status).toBe(200);
  }, 20 * 60_000);

  test("npm run stacks, keys, usage and logs work against the remote engine and its proxy", async () => {
    // The job removed its key at the end: a teammate's shell sets it up with the workflow's own step.
    const sshStep = proxyJob.steps.find((s) => /^ssh access/.test(s.name)) as WorkflowStep;
    const ctx: ExpressionContext = { event: "push", inputs: {}, secrets: { ...secretsA, ...sshSecrets() } };
    const env = Object.fromEntries(Object.entries(sshStep.env).map(([name, value]) => [name, substitute(value, ctx)]));
    expect((await runner.run(sshStep.run as string, deployedWorkspace, { ...jobEnv(), ...env })).status).toBe(0);
    const stacks = await inWorkspace(deployedWorkspace, "npm run --silent stacks -- --json", secretsA);
    expect(stacks.status).toBe(0);
    expect(JSON.parse(stacks.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ stack: TEAM_A, state: "running", url: baseUrlOf(configA()) })]));
    const reconcile = await inWorkspace(deployedWorkspace, "npm run --silent keys -- reconcile", secretsA);
    expect(reconcile.status).toBe(0);
    // LiteLLM writes spend rows in batches: wait for the request made above.
    const usage = await waitFor("the request in npm run usage", 120_000, async () => {
      const run = await inWorkspace(deployedWorkspace, "npm run --silent usage -- --json", secretsA);
      expect(run.status).toBe(0);
      const rows = (JSON.parse(run.stdout).rows ?? []) as { alias: string; model: string; requests: number }[];
      return rows.find((r) => r.alias.endsWith("ci-smoke") && r.model === "mock" && r.requests >= 1);
    }, 5_000);
    expect(usage.requests).toBe(1);
    const logs = await inWorkspace(deployedWorkspace, "npm run --silent logs -- --json --since 1h --key ci-smoke", secretsA);
    expect(logs.status).toBe(0);
    const lines = logs.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { model: string; status: string });
    expect(lines).toEqual([expect.objectContaining({ model: "mock", status: "success" })]);
  }, 10 * 60_000);

  test("two teams on one engine, from two checkouts: neither touches the other's containers, keys or state", async () => {
    const before = containerIds(TEAM_A);
    const stateA = (await s3.objects(BUCKET))[`litellm/${TEAM_A}.tfstate`];
    const job = await runProxyJob("workflow_dispatch", { action: "deploy" }, configB(), { ...secretsB, ...sshSecrets() });
    expectStep(job, /^deploy$/, 0, new RegExp(`^stack "${TEAM_B}" deployed$`));
    expect(remoteObjects(TEAM_B).containers).toHaveLength(3);
    expect(containerIds(TEAM_A)).toEqual(before);
    expect((await s3.objects(BUCKET))[`litellm/${TEAM_A}.tfstate`]).toBe(stateA);

    const keyA = await virtualKey(deployedWorkspace, secretsA);
    const keyB = await virtualKey(job.workspace, secretsB);
    expect(keyB).not.toBe(keyA);
    const ask = (url: string, key: string) => chat(url, key, { model: "mock", messages: [{ role: "user", content: "two teams" }] });
    expect((await ask(baseUrlOf(configB()), keyB)).status).toBe(200);
    expect((await ask(baseUrlOf(configB()), keyA)).status).toBe(401); // each proxy knows its own team's keys only
    expect((await ask(baseUrlOf(configA()), keyA)).status).toBe(200);

    // Team B leaves, data and all: team A keeps everything.
    const gone = await runProxyJob("workflow_dispatch", { action: "destroy-with-data" }, configB(), { ...secretsB, ...sshSecrets() });
    expectStep(gone, /^destroy, deleting/, 0, new RegExp(`^stack "${TEAM_B}" destroyed$`));
    expect(remoteObjects(TEAM_B)).toEqual({ containers: [], volumes: [], networks: [] });
    expect(containerIds(TEAM_A)).toEqual(before);
    expect(remoteObjects(TEAM_A).volumes).toHaveLength(1);
    expect((await ask(baseUrlOf(configA()), keyA)).status).toBe(200);
    expectJobClean(job, secretsB);
  }, 20 * 60_000);

  test("the scheduled drift check: exit 0 on the settled stack, 2 naming the container removed by hand, 0 again after a deploy", async () => {
    const settled = await runProxyJob("schedule", {}, configA(), { ...secretsA, ...sshSecrets() });
    expectStep(settled, /^drift check/, 0, new RegExp(`^no drift: stack "${TEAM_A}" matches its configuration$`));
    expect(settled.step(/^deploy$/).skipped).toBe(true);
    expect(settled.step(/^npm test$/).skipped).toBe(true);

    const postgresId = containerIds(TEAM_A).find((line) => line.includes("postgres"));
    expect(remote.cli(["rm", "--force", resourceNames(TEAM_A).litellm]).status).toBe(0);
    const drifted = await runProxyJob("schedule", {}, configA(), { ...secretsA, ...sshSecrets() });
    expectStep(drifted, /^drift check/, 2);
    // Drift is a finding on stdout; stderr holds the exposure warning.
    expect(lastLineOf(drifted.step(/^drift check/).stdout)).toMatch(/^drift: stack ".+" differs from its configuration: .*docker_container\.\S*litellm\S* \((create|replace)\)/);
    expect(drifted.step(/remove the ssh key/).status).toBe(0);

    const redeployed = await runProxyJob("workflow_dispatch", { action: "deploy" }, configA(), { ...secretsA, ...sshSecrets() });
    expectStep(redeployed, /^deploy$/, 0, new RegExp(`^stack "${TEAM_A}" deployed$`));
    expect(containerIds(TEAM_A).find((line) => line.includes("postgres"))).toBe(postgresId);
    const again = await runProxyJob("schedule", {}, configA(), { ...secretsA, ...sshSecrets() });
    expectStep(again, /^drift check/, 0, /^no drift/);
    expectJobClean(drifted, secretsA);
  }, 20 * 60_000);

  test("destroy refuses while the spend database is protected; destroy-with-data leaves nothing on the engine", async () => {
    const refused = await runProxyJob("workflow_dispatch", { action: "destroy" }, configA(), { ...secretsA, ...sshSecrets() });
    expectStep(refused, /^destroy \(refuses/, 1, /LITELLM_DELETE_DATA=yes/);
    expect(remoteObjects(TEAM_A).containers).toHaveLength(3);

    const destroyed = await runProxyJob("workflow_dispatch", { action: "destroy-with-data" }, configA(), { ...secretsA, ...sshSecrets() });
    expectStep(destroyed, /^destroy, deleting/, 0, new RegExp(`^stack "${TEAM_A}" destroyed$`));
    expect(remoteObjects(TEAM_A)).toEqual({ containers: [], volumes: [], networks: [] });
    expect(remote.cli(["ps", "--all", "--format", "{{.Names}}"]).stdout.trim()).toBe("");
    expectJobClean(destroyed, secretsA);
  }, 15 * 60_000);

  describe("tcp:// with TLS (docker.certPath)", () => {
    const name = `tls-${runId}`.slice(0, 20);
    let checkout: Checkout;
    let port: number;
    const tlsEnv = { LITELLM_MASTER_KEY: `sk-tls-${runId}` };
    const config = (docker: Record<string, string>) => ({
      name,
      litellm: { image: PINNED_LITELLM_IMAGE, bindAddress: "0.0.0.0", port, startTimeoutSeconds: 900 },
      database: { enabled: false },
      models: [{ preset: "mock" }],
      openclaw: { primary: "mock", baseUrl: remote.url(port) },
      docker,
    });

    beforeAll(async () => {
      checkout = new Checkout("tls");
      port = PORT_TLS;
    });
    afterAll(() => checkout?.remove());

    test("refused before anything is created without certificates, and with certificates of another CA", async () => {
      checkout.writeConfig(config({ host: remote.tlsHost }));
      const plain = await checkout.npm("deploy", [], tlsEnv);
      expect(plain.status).toBe(1);
      expect(plain.lastLine).toMatch(/^error: no Docker Engine answers at tcp:\/\/127\.0\.0\.1:\d+: the engine takes TLS only, .*Next: set docker\.certPath.*Nothing was changed$/);
      checkout.writeConfig(config({ host: remote.tlsHost, certPath: otherCaClientDir }));
      const stranger = await checkout.npm("deploy", [], tlsEnv);
      expect(stranger.status).toBe(1);
      expect(stranger.lastLine).toMatch(/^error: no Docker Engine answers at tcp:\/\/127\.0\.0\.1:\d+: the engine's TLS certificate is not one the ca\.pem in docker\.certPath vouches for\..*Nothing was changed$/);
      expect(remoteObjects(name).containers).toEqual([]);
    }, 5 * 60_000);

    test("accepted with the engine's certificates: deployed there, serving, destroyed", async () => {
      checkout.writeConfig(config({ host: remote.tlsHost, certPath: tlsClientDir }));
      const deployed = await checkout.npm("deploy", [], tlsEnv);
      if (deployed.status !== 0) process.stdout.write(`--- stderr\n${deployed.stderr.slice(-4000)}\n`);
      expect(deployed.lastLine).toBe(`stack "${name}" deployed`);
      expect(remoteObjects(name).containers).toEqual([resourceNames(name).litellm]);
      expect((await getJson(`${remote.url(port)}/health/liveliness`)).status).toBe(200);
      const destroyed = await checkout.npm("destroy", [], tlsEnv);
      expect(destroyed.lastLine).toBe(`stack "${name}" destroyed`);
      expect(remoteObjects(name)).toEqual({ containers: [], volumes: [], networks: [] });
    }, 10 * 60_000);
  });
});

function resolveMirror(): string {
  const file = readFileSync(mirrorCliConfig(scratch), "utf8");
  return (/path\s*=\s*"([^"]+)"/.exec(file) as RegExpExecArray)[1];
}
