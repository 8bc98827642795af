/**
 * A LiteLLM that cannot start is reported within seconds, with its last log lines, by the same
 * watcher `npm run deploy` runs beside `terraform apply` (src/lifecycle/start-watch.ts); a
 * LiteLLM that starts, however slowly, is never reported. Real engine, real LiteLLM.
 */
import { describeFailedStart, stopRestarting, watchStarts } from "../../src/lifecycle/start-watch";
import { Deployment, freePort, loadE2EConfig } from "./harness/deployment";
import { assertEngineAnswers, docker, removeLabelled, runSpec, waitHealthy } from "./harness/engine";
import { buildLocalImages } from "./harness/images";
import { mapImage } from "./harness/images";

assertEngineAnswers();
const images = buildLocalImages();
const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const deployments: Deployment[] = [];

afterAll(async () => {
  for (const deployment of deployments) await deployment.destroy();
});

async function deploymentFor(name: string, databaseEnabled: boolean): Promise<Deployment> {
  const config = loadE2EConfig({ name, port: await freePort(), databaseEnabled });
  const deployment = new Deployment(config, config, images);
  deployments.push(deployment);
  await removeLabelled(deployment.labelFilter);
  await deployment.createNetworkAndVolume();
  return deployment;
}

test("a LiteLLM whose database cannot be reached is reported within seconds of its first failed start, with its log", async () => {
  // The database is configured but no Postgres runs: LiteLLM exits at start (here for lack of
  // Prisma's engines, with them because the host does not resolve), and its restart policy retries.
  const deployment = await deploymentFor(`e2e-fail-${runId}`, true);
  const spec = deployment.liteLLMSpec();
  const started = Date.now();
  const watch = watchStarts([spec.name, deployment.names.postgres], started);
  await runSpec(spec, mapImage(spec.image, images));
  const failure = await Promise.race([watch.failure, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000))]);
  watch.stop();
  const elapsed = (Date.now() - started) / 1000;
  process.stdout.write(`failed start reported after ${elapsed.toFixed(1)}s:\n${failure ? describeFailedStart(failure) : "(none)"}\n`);
  expect(failure).toMatchObject({ container: spec.name, exitCode: expect.any(Number) });
  // LiteLLM 1.108.5 may exit 0 after logging the failure; the restart policy then restarts it.
  expect(failure!.exitCode !== 0 || failure!.restarts > 0).toBe(true);
  expect(failure?.logTail.length).toBeGreaterThan(0);
  expect(elapsed).toBeLessThan(60);
  expect(describeFailedStart(failure!)).toMatch(new RegExp(`^${spec.name} exited at start \\(exit code \\d+.*\\); its last lines:\\n  \\| `));

  await stopRestarting(spec.name);
  const state = (await docker.getContainer(spec.name).inspect()).State;
  const restarts = (await docker.getContainer(spec.name).inspect()).RestartCount;
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(state.Running).toBe(false);
  expect((await docker.getContainer(spec.name).inspect()).RestartCount).toBe(restarts);
});

test("a LiteLLM that starts is never reported, from creation until healthy", async () => {
  const deployment = await deploymentFor(`e2e-ok-${runId}`, false);
  const spec = deployment.liteLLMSpec();
  const watch = watchStarts([spec.name], Date.now());
  await runSpec(spec, mapImage(spec.image, images));
  await waitHealthy(spec.name, spec.healthyTimeoutSeconds * 1000);
  watch.stop();
  expect(await watch.failure).toBeUndefined();
});
