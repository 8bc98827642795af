/**
 * LiteLLM's liveliness probe (src/specs/health-probe.ts), run by the real python3 against a
 * local HTTP server. A young container is stood in for by a fresh PID namespace (`unshare`), whose
 * PID 1 is the probe itself, just started.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { livelinessProbe } from "../../src/specs/health-probe";

const young = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0;
if (!young) process.stderr.write("SKIPPED (the young-container probe): `unshare --pid --fork --mount-proc` is not allowed here (needs root)\n");
const youngTest = young ? test : test.skip;

function listen(): Promise<Server> {
  const server = createServer((request, response) => {
    response.writeHead(request.url === "/health/liveliness" ? 200 : 404).end("I'm alive!");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;
/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = await listen();
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function probe(port: number, patienceSeconds: number, inFreshNamespace = false): Promise<{ status: number; seconds: number }> {
  const source = livelinessProbe({ port, patienceSeconds, startPeriodSeconds: 60, requestTimeoutSeconds: 2 });
  const [command, args] = inFreshNamespace ? ["unshare", ["--pid", "--fork", "--mount-proc", "python3", "-c", source]] : ["python3", ["-c", source]];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args as string[], { stdio: "ignore" });
    child.on("close", (code) => resolve({ status: code ?? 1, seconds: (Date.now() - started) / 1000 }));
  });
}

test("is valid Python that asks /health/liveliness on the given port", () => {
  const source = livelinessProbe({ port: 4000, patienceSeconds: 20, startPeriodSeconds: 60, requestTimeoutSeconds: 4 });
  expect(source).toContain("http://127.0.0.1:4000/health/liveliness");
  expect(spawnSync("python3", ["-c", `import ast; ast.parse(${JSON.stringify(source)})`]).status).toBe(0);
});

test("passes at once when the proxy answers", async () => {
  const server = await listen();
  try {
    expect(await probe(portOf(server), 20)).toMatchObject({ status: 0 });
  } finally {
    server.close();
  }
});

test("in a container that started long ago (this machine's PID 1), fails at the first refusal, without waiting", async () => {
  const result = await probe(await closedPort(), 20);
  expect(result.status).not.toBe(0);
  expect(result.seconds).toBeLessThan(5);
});

youngTest("in a young container, waits for the proxy and passes ~0.1 s after it answers", async () => {
  const port = await closedPort();
  const probing = probe(port, 20, true);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const server = createServer((_, response) => response.writeHead(200).end());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  try {
    const result = await probing;
    expect(result.status).toBe(0);
    expect(result.seconds).toBeGreaterThan(1.4);
    expect(result.seconds).toBeLessThan(5);
  } finally {
    server.close();
  }
});

youngTest("in a young container, gives up after its patience", async () => {
  const result = await probe(await closedPort(), 1, true);
  expect(result.status).not.toBe(0);
  expect(result.seconds).toBeGreaterThan(0.9);
  expect(result.seconds).toBeLessThan(5);
});
