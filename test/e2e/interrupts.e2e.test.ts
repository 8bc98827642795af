/**
 * Ctrl-C in the middle of a deploy, for real: SIGINT to `npm run deploy`'s whole process group (as
 * a terminal sends it) once Terraform is creating the stack's objects, on the local backend and on S3
 * (moto). The run must end saying it was interrupted and what it had changed, and leave no state
 * lock, no Terraform or provider process and no saved plan; the next command is not refused.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { LABEL_PREFIX } from "../../src/specs/service-specs";
import { Checkout, realPathUnavailableReason } from "./harness/checkout";
import { freePort } from "./harness/deployment";
import { assertEngineAnswers, objectsLabelled, removeLabelled } from "./harness/engine";
import { buildLocalImages, imageId } from "./harness/images";
import { S3Server } from "./harness/s3-server";
import { waitFor } from "./harness/wait";

assertEngineAnswers();
const unavailable = realPathUnavailableReason();
if (unavailable) console.warn(`SKIPPED the interrupts suite: ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const BUCKET = "interrupt-state";
// The apply is under way: Terraform is creating the stack's network on the engine.
const MID_APPLY = /docker_network\.network: Creating\.\.\./;
// Later: LiteLLM's container exists and the provider waits for it to be healthy.
const HEALTH_WAIT = /docker_container\.litellm[^:]*: Still creating\.\.\./;

let images: { litellm: string; postgres: string; moto: string };
let s3: S3Server;
const checkouts: Checkout[] = [];
const names: string[] = [];

/** Processes whose working folder or command line is inside the checkout: Terraform, its provider plugins. */
function processesIn(dir: string): string[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .flatMap((pid) => {
      try {
        const cwd = readlinkSync(`/proc/${pid}/cwd`);
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
        return cwd.startsWith(dir) || cmdline.includes(dir) ? [`${pid} ${cmdline}`] : [];
      } catch {
        return []; // gone meanwhile, or not ours to read
      }
    });
}

beforeAll(async () => {
  if (unavailable) return;
  const local = buildLocalImages();
  // By image id, as on an offline machine: no name a user's deploy resolves is borrowed.
  images = { litellm: imageId(local.litellm), postgres: imageId(local.postgres), moto: local.moto };
  s3 = await S3Server.start(images.moto, `e2e-interrupts-s3-${runId}`);
  await s3.createBucket(BUCKET);
});

afterAll(async () => {
  if (unavailable) return;
  for (const name of names) await removeLabelled(`${LABEL_PREFIX}.stack=${name}`);
  for (const checkout of checkouts) checkout.remove();
  await s3?.remove();
});

/** A checkout of its own with a stack of the mock model and its database, removed after the file. */
async function mockStack(name: string, label: string, backend?: Record<string, unknown>): Promise<Checkout> {
  names.push(name);
  const checkout = new Checkout(label);
  checkouts.push(checkout);
  checkout.writeConfig({
    name,
    litellm: { image: images.litellm, bindAddress: "127.0.0.1", port: await freePort() },
    database: { image: images.postgres },
    models: [{ preset: "mock" }],
    openclaw: { primary: "mock" },
    ...(backend ? { backend } : {}),
  });
  return checkout;
}

describeReal("Ctrl-C during npm run deploy: no lock, no process, no secret-bearing file, and what had changed", () => {
  test.each([
    ["local", () => undefined, {}],
    ["s3", (name: string) => ({ type: "s3", bucket: BUCKET, key: `litellm/${name}.tfstate`, region: "us-east-1", endpoint: s3.endpoint }), { AWS_ACCESS_KEY_ID: "AKIASUITE", AWS_SECRET_ACCESS_KEY: `suite-${runId}` }],
  ] as const)("the %s backend", async (type, backendOf, backendEnv) => {
    const name = `int-${type}-${runId}`;
    const checkout = await mockStack(name, `interrupt-${type}`, backendOf(name));

    const run = await checkout.npmInterrupted("deploy", MID_APPLY, backendEnv);
    expect(run.interrupted).toBe(true);
    // The command exits 130 (128 + SIGINT); npm, interrupted too, reports its own 1.
    expect(run.status).not.toBe(0);
    expect(run.lastLine).toMatch(
      /^error: interrupted by SIGINT during the apply: Terraform finished what it had started and released the state lock; (before it stopped, it had created \S+.*|it had changed nothing)\. Run the same command again to finish$/,
    );
    // Terraform saw one interrupt (a second would make it exit at once, leaving the lock).
    expect(run.stdout + run.stderr).toMatch(/Interrupt received/);
    expect(run.stdout + run.stderr).not.toMatch(/Two interrupts received/);

    // No saved plan (it holds the stack's secrets), no lock, no process left.
    const stackDir = join(checkout.dir, "cdktf.out", "stacks", name);
    expect(existsSync(join(stackDir, "stack.tfplan"))).toBe(false);
    if (type === "local") {
      const stateDir = join(checkout.dir, "terraform-state");
      expect(readdirSync(stateDir).filter((file) => file.includes("lock"))).toEqual([]);
    } else {
      expect(Object.keys(await s3.objects(BUCKET)).filter((key) => key.endsWith(".tflock"))).toEqual([]);
    }
    // The provider plugins stop once Terraform has: give them a moment.
    await waitFor("Terraform and its provider plugins to be gone", 15_000, async () => (processesIn(checkout.dir).length === 0 ? true : undefined), 500).catch(() => undefined);
    expect(processesIn(checkout.dir)).toEqual([]);

    // The next command takes the lock and finishes: here the teardown of what the deploy had created.
    const destroyed = await checkout.npm("destroy", [], { ...backendEnv, LITELLM_DELETE_DATA: "yes" });
    expect(destroyed.status).toBe(0);
    expect(destroyed.lastLine).toMatch(new RegExp(`^(stack "${name}" destroyed|nothing to destroy: stack "${name}")`));
  });
});

describeReal("Ctrl-C while a container waits to be healthy, then the commands a user runs next", () => {
  test("the container is in the state (tainted), so destroy removes it and leaves nothing of the stack", async () => {
    const name = `int-health-${runId}`;
    const checkout = await mockStack(name, "interrupt-health");

    const run = await checkout.npmInterrupted("deploy", HEALTH_WAIT);
    expect(run.interrupted).toBe(true);
    expect(run.lastLine).toMatch(/^error: interrupted by SIGINT during the apply: .*Run the same command again to finish$/);
    // Not left outside the state: Terraform recorded the container it was waiting on, as tainted
    // (the next deploy replaces it, the next destroy removes it).
    const state = JSON.parse(readFileSync(join(checkout.dir, "terraform-state", `${name}.tfstate`), "utf8")) as {
      resources: { type: string; name: string; instances: { status?: string }[] }[];
    };
    const litellm = state.resources.find((r) => r.type === "docker_container" && r.name.startsWith("litellm"));
    expect(litellm?.instances.map((i) => i.status)).toEqual(["tainted"]);

    const destroyed = await checkout.npm("destroy", [], { LITELLM_DELETE_DATA: "yes" });
    expect(destroyed.status).toBe(0);
    expect(destroyed.lastLine).toBe(`stack "${name}" destroyed`);
    expect(await objectsLabelled(`${LABEL_PREFIX}.stack=${name}`)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
