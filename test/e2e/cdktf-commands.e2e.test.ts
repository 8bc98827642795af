/**
 * `cdktf deploy` and `cdktf destroy`, the commands a CDK for Terraform user types, against the
 * real engine, the real providers (from the mirror, so with --skip-provider-lock), and LiteLLM with
 * its database. One short sequence on one stack: deploy with the user's master key exported, a
 * second deploy that changes nothing, `npm run deploy` on the same stack (one key, not two), and a
 * destroy that leaves no object and no secret-bearing file. Its images are named by id, as on an
 * offline machine with images built or loaded there. No checkpoint line from either command,
 * and no secret in any command's output.
 */
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { LABEL_PREFIX } from "../../src/specs/service-specs";
import { tokenHash } from "../../src/proxy-admin/key-plan";
import { LiteLLMAdmin } from "../../src/proxy-admin/litellm-admin";
import { Checkout, type CommandResult, realPathUnavailableReason } from "./harness/checkout";
import { freePort } from "./harness/deployment";
import { assertEngineAnswers, objectsLabelled, removeLabelled } from "./harness/engine";
import { buildLocalImages, imageId } from "./harness/images";
import { chat } from "./harness/proxy-client";

assertEngineAnswers();
const unavailable = realPathUnavailableReason();
if (unavailable) console.warn(`SKIPPED the cdktf commands suite: ${unavailable}`);
const describeReal = unavailable ? describe.skip : describe;

const NAME = `cdktf-${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
// The user's own master key, exported before the deploy.
const MASTER_KEY = `sk-${randomBytes(18).toString("hex")}`;
const USER_ENV = { LITELLM_MASTER_KEY: MASTER_KEY };
const DEPLOY = ["cdktf", "deploy", "--auto-approve", "--skip-provider-lock"];
const DESTROY = ["cdktf", "destroy", "--auto-approve"];

let checkout: Checkout;
let port: number;
let keyValue: string;

const baseUrl = () => `http://127.0.0.1:${port}`;
const askMock = (key: string) => chat(baseUrl(), key, { model: "mock", messages: [{ role: "user", content: "hi" }] });

/** Every command's whole output, for the scan for secrets at the end. */
const outputs: string[] = [];

function expectSucceeded(result: CommandResult): void {
  outputs.push(`${result.stdout}\n${result.stderr}`);
  if (result.status !== 0) process.stdout.write(`--- stdout\n${result.stdout.slice(-6000)}\n--- stderr\n${result.stderr.slice(-4000)}\n`);
  expect(result.status).toBe(0);
  // CDKTF's telemetry call, which fails on a machine without internet: the checkout's .npmrc turns it off.
  expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/checkpoint/i);
}

/** Every regular file under the checkout (node_modules is a link to the project's, not the user's files). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return [];
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
  });
}

/** The files that hold any of `secrets`, relative to the checkout. */
function filesHolding(secrets: readonly string[]): string[] {
  return filesUnder(checkout.dir)
    .filter((file) => {
      const text = readFileSync(file, "latin1");
      return secrets.some((secret) => text.includes(secret));
    })
    .map((file) => relative(checkout.dir, file));
}

/**
 * Whether a user other than the owner can read the file: read permission for group or others on
 * the file, and search permission on every folder from it up to the checkout (the checkout itself
 * is a private temporary folder, so it is left out, or every file would pass).
 */
function readableByOthers(relativePath: string): boolean {
  const file = join(checkout.dir, relativePath);
  if ((statSync(file).mode & 0o044) === 0) return false;
  for (let dir = dirname(file); dir !== checkout.dir; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o011) === 0) return false;
  }
  return true;
}

/** Every secret the state holds: master key, salt key, database password, virtual keys. */
function stateSecrets(): string[] {
  const state = JSON.parse(readFileSync(join(checkout.dir, "terraform-state", `${NAME}.tfstate`), "utf8")) as {
    resources: { type: string; instances: { attributes: { result?: string } }[] }[];
  };
  const generated = state.resources.filter((r) => r.type === "random_password").map((r) => r.instances[0].attributes.result as string);
  return [MASTER_KEY, keyValue, ...generated];
}

beforeAll(async () => {
  if (unavailable) return;
  const local = buildLocalImages();
  port = await freePort();
  checkout = new Checkout("cdktf");
  checkout.writeConfig({
    name: NAME,
    // By image id, as on an offline machine with images built or loaded there (no name borrowed).
    litellm: { image: imageId(local.litellm), bindAddress: "127.0.0.1", port },
    database: { image: imageId(local.postgres) },
    models: [{ preset: "mock" }],
    openclaw: { primary: "mock" },
    keys: [{ alias: "openclaw", maxBudget: 5, budgetDuration: "monthly" }],
  });
});

afterAll(async () => {
  if (unavailable || !checkout) return;
  await checkout.npx(DESTROY, { ...USER_ENV, LITELLM_DELETE_DATA: "yes" });
  await removeLabelled(`${LABEL_PREFIX}.stack=${NAME}`);
  checkout.remove();
});

describeReal("cdktf deploy and cdktf destroy, as complete and safe as npm run deploy", () => {
  test("cdktf deploy: the user's master key works, the declared key exists with its budget, no secret is readable by another user", async () => {
    expectSucceeded(await checkout.npx(DEPLOY, USER_ENV));

    const answer = await askMock(MASTER_KEY);
    expect(answer.status).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("Hello from the LiteLLM mock model.");

    const got = await checkout.npm("keys", ["get", "openclaw"], USER_ENV, false);
    expect(got.status).toBe(0);
    keyValue = got.stdout.trim();
    const info = await new LiteLLMAdmin(baseUrl(), MASTER_KEY).keyInfo(tokenHash(keyValue));
    expect(info).toMatchObject({ key_alias: `${NAME}/openclaw`, max_budget: 5, budget_duration: "monthly" });
    expect((await askMock(keyValue)).status).toBe(200);

    const holding = filesHolding(stateSecrets());
    // Not vacuous: the state and the synth's secret inputs hold them, and are found.
    expect(holding).toEqual(expect.arrayContaining([`terraform-state/${NAME}.tfstate`, `terraform-state/${NAME}.secrets.json`]));
    expect(holding.filter(readableByOthers)).toEqual([]);
    expect(holding.filter((file) => file.startsWith("cdktf.out/"))).toEqual([]);
  });

  test("a second cdktf deploy changes nothing", async () => {
    const again = await checkout.npx(DEPLOY, USER_ENV);
    expectSucceeded(again);
    expect(again.stdout).toMatch(/No changes\./);
    expect(again.stdout).not.toMatch(/created key|deleted key/);
  });

  test("npm run deploy on the stack cdktf deployed: the same one key, nothing revoked", async () => {
    const deployed = await checkout.npm("deploy", [], USER_ENV);
    outputs.push(`${deployed.stdout}\n${deployed.stderr}`);
    expect(deployed.status).toBe(0);
    expect(deployed.lastLine).toBe(`stack "${NAME}" is up to date: nothing changed`);
    expect(deployed.stdout).toMatch(/key openclaw is up to date/);
    expect(deployed.stdout).not.toMatch(/created key|deleted key/);
    const keys = (await new LiteLLMAdmin(baseUrl(), MASTER_KEY).listKeys()).filter((key) => key.key_alias === `${NAME}/openclaw`);
    expect(keys.map((key) => key.token)).toEqual([tokenHash(keyValue)]);
    expect((await askMock(keyValue)).status).toBe(200);
    // And back: cdktf deploy after npm run deploy has nothing to do either.
    const after = await checkout.npx(DEPLOY, USER_ENV);
    expectSucceeded(after);
    expect(after.stdout).toMatch(/No changes\./);
  });

  test("cdktf destroy leaves no container, network or volume, and no file that holds a secret of the stack", async () => {
    const secrets = stateSecrets();
    const destroyed = await checkout.npx(DESTROY, USER_ENV);
    expectSucceeded(destroyed);
    expect(await objectsLabelled(`${LABEL_PREFIX}.stack=${NAME}`)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(filesHolding(secrets)).toEqual([]);
    // Nor any command's output: plans (a destroyed resource's values included), provisioners, outputs.
    for (const output of outputs) expect(secrets.filter((secret) => output.includes(secret))).toEqual([]);
    expect(outputs.length).toBeGreaterThanOrEqual(4);
    // The state itself stays (empty), as Terraform leaves it: the record that nothing is deployed.
    expect(existsSync(join(checkout.dir, "terraform-state", `${NAME}.tfstate`))).toBe(true);
  });
});
