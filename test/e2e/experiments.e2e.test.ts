/**
 * Disposable experiments side by side on one engine: each its own names, labels and port; tearing
 * one down leaves the other serving and no trace of itself.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { assertEngineAnswers, objectsLabelled, removeLabelled, RUN_FILTER } from "./harness/engine";
import { Deployment, E2E_CONFIG_FILE, loadE2EConfig } from "./harness/deployment";
import { buildLocalImages } from "./harness/images";
import { chat } from "./harness/proxy-client";

assertEngineAnswers();
const images = buildLocalImages();
const root = join(__dirname, "..", "..");
const base = `e2e${process.pid.toString(36)}`;

/** Runs the repository's own CLI (scripts/stack.ts) as a user would. */
function stackCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(join(root, "node_modules/.bin/tsx"), ["scripts/stack.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
}

// Without Postgres: an experiment that does not need spend tracking.
const experiment = (name: string) => {
  const config = loadE2EConfig({ name: base, databaseEnabled: false, experiment: name });
  return new Deployment(config, config, images);
};
const alpha = experiment("alpha");
const beta = experiment("beta");

const answers = async (deployment: Deployment) =>
  (await chat(deployment.baseUrl, deployment.secrets.masterKey, { model: "mock", messages: [{ role: "user", content: "hi" }] }))
    .body.choices?.[0]?.message?.content;

beforeAll(async () => {
  await removeLabelled(RUN_FILTER);
});

afterAll(async () => {
  await removeLabelled(RUN_FILTER);
});

test("two experiments get their own names and ports", () => {
  expect(alpha.stack.name).toBe(`${base}-exp-alpha`);
  expect(beta.stack.name).toBe(`${base}-exp-beta`);
  expect(alpha.stack.litellm.port).not.toBe(beta.stack.litellm.port);
  expect(alpha.stack.database.enabled).toBe(false);
});

test("both serve side by side on one engine", async () => {
  for (const deployment of [alpha, beta]) {
    await deployment.createNetworkAndVolume();
    await deployment.startLiteLLM();
  }
  expect(await answers(alpha)).toBe("Hello from the LiteLLM mock model.");
  expect(await answers(beta)).toBe("Hello from the LiteLLM mock model.");
});

test("npm run stacks lists both with their URLs, from the labels", () => {
  const run = stackCli(["stacks", "--json"]);
  expect(run.status).toBe(0);
  const stacks = JSON.parse(run.stdout) as { stack: string; experiment?: string; url?: string }[];
  for (const deployment of [alpha, beta]) {
    expect(stacks).toContainEqual(
      expect.objectContaining({
        stack: deployment.stack.name,
        experiment: deployment.stack.experiment,
        url: `http://localhost:${deployment.stack.litellm.port}`,
        state: "running",
      }),
    );
  }
});

test("deploying a third experiment on a port already taken fails before anything is created", () => {
  const dir = mkdtempSync(join(tmpdir(), "clash-"));
  const file = join(dir, "stack.config.yaml");
  const raw = parse(readFileSync(E2E_CONFIG_FILE, "utf8"));
  writeFileSync(file, stringify({ ...raw, name: base, litellm: { ...raw.litellm, port: alpha.stack.litellm.port } }));
  const run = stackCli(["deploy"], { LITELLM_STACK_CONFIG: file, EXPERIMENT: "gamma" });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(
    `litellm.port: ${alpha.stack.litellm.port} is already published by stack "${alpha.stack.name}" on this Docker host`,
  );
  expect(run.stdout).not.toContain("cdktf");
});

test("tearing one down leaves the other serving and no trace of the first", async () => {
  await alpha.destroy();
  expect(await objectsLabelled(alpha.labelFilter)).toEqual({ containers: [], networks: [], volumes: [] });
  expect(await answers(beta)).toBe("Hello from the LiteLLM mock model.");
  await beta.destroy();
  expect(await objectsLabelled(beta.labelFilter)).toEqual({ containers: [], networks: [], volumes: [] });
});
