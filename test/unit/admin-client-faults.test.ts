/**
 * The admin client (keys, usage, destroy's key step) against a local server that misbehaves the
 * way reverse proxies, broken deployments and networks do. Not a stand-in for LiteLLM: each case
 * is one misbehaviour, and each must end as one clear error line, never a crash or a hang.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tearDownKeysOrWarn } from "../../src/proxy-admin/key-reconciler";
import { AdminError, LiteLLMAdmin, MAX_KEY_PAGES } from "../../src/proxy-admin/litellm-admin";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
const requests: string[] = [];
const servers: Server[] = [];

async function listen(h: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    h(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let url = "";
beforeAll(async () => {
  url = await listen((req, res) => handler(req, res));
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
beforeEach(() => (requests.length = 0));

const json = (body: unknown, status = 200) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const admin = (timeoutMs = 2_000) => new LiteLLMAdmin(url, "sk-master-secret-value", timeoutMs);

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AdminError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message).not.toContain("sk-master-secret-value");
    return message;
  }
  throw new Error("expected a failure");
}

const goodKey = { token: "t1", key_alias: "openclaw", max_budget: 5, budget_duration: null, models: [], rpm_limit: null, tpm_limit: null, max_parallel_requests: null, metadata: {}, spend: 0 };

describe("misbehaving servers end as one clear error line", () => {
  test("a 200 with an HTML body (a reverse proxy's error page)", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
    };
    expect(await errorOf(admin().listKeys())).toMatch(/^GET \/key\/list at http:\/\/127\.0\.0\.1:\d+ answered HTTP 200 with a body that is not JSON \(a reverse proxy's error page\?\): "<html><body><h1>502 Bad Gateway/);
  });

  test.each([
    ["keys absent", { total_pages: 1 }, /unexpected shape \(keys: /],
    ["keys: [null]", { keys: [null], total_pages: 1 }, /unexpected shape \(keys\.0: /],
    ["a key without a token", { keys: [{ key_alias: "x" }] }, /unexpected shape \(keys\.0\.token: /],
  ])("a mistyped answer: %s", async (_name, body, message) => {
    handler = json(body);
    expect(await errorOf(admin().listKeys())).toMatch(message);
  });

  test("models: null is read as LiteLLM means it: every model", async () => {
    handler = json({ keys: [{ ...goodKey, models: null }], total_pages: 1 });
    expect((await admin().listKeys())[0].models).toEqual([]);
  });

  test("a body trickled slowly runs into the deadline", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"keys": [');
      const timer = setInterval(() => res.write(" "), 100);
      res.on("close", () => clearInterval(timer));
    };
    const started = Date.now();
    expect(await errorOf(admin(1_000).listKeys())).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/key\/list\?.* did not finish its answer within 1s/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("a server that never answers runs into the deadline", async () => {
    handler = () => undefined;
    expect(await errorOf(admin(500).requireDatabase())).toMatch(/got no answer within 0\.5s/);
  });

  test(`a total_pages of 1e9 stops after ${MAX_KEY_PAGES} pages`, async () => {
    handler = json({ keys: [goodKey], total_pages: 1e9 });
    expect(await errorOf(admin().listKeys())).toMatch(new RegExp(`reports 1000000000 pages of keys; this command reads at most ${MAX_KEY_PAGES}`));
    expect(requests.length).toBe(MAX_KEY_PAGES);
  });

  test("a body larger than the bound is refused without holding it", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 32);
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      let sent = 0;
      const pump = () => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once("drain", pump);
        else res.end();
      };
      res.on("error", () => undefined);
      pump();
    };
    expect(await errorOf(admin(10_000).listKeys())).toMatch(/answered with more than the 8388608 bytes this command reads/);
  });

  test("spend logs in another shape are an error, not 10 requests", async () => {
    handler = json({ data: "not-a-list" });
    expect(await errorOf(admin().spendLogs("2026-11-01", "2026-11-30"))).toMatch(/^GET \/spend\/logs at .* answered in an unexpected shape/);
  });

  test("a redirect to another origin is not followed: the other origin never sees the request", async () => {
    const elsewhereRequests: string[] = [];
    const elsewhere = await listen((req, res) => {
      elsewhereRequests.push(req.url ?? "");
      res.end("{}");
    });
    handler = (_req, res) => {
      res.writeHead(307, { location: `${elsewhere}/key/generate` });
      res.end();
    };
    expect(await errorOf(admin().generateKey({ key: "sk-virtual-key-value", key_alias: "openclaw" }))).toMatch(/answered with a redirect \(HTTP 307\), which is not followed/);
    expect(elsewhereRequests).toEqual([]);
  });

  test("credentials in the base URL are refused and never printed", () => {
    expect(() => new LiteLLMAdmin("http://admin:hunter2@127.0.0.1:4000", "sk-x")).toThrow(AdminError);
    try {
      new LiteLLMAdmin("http://admin:hunter2@127.0.0.1:4000", "sk-x");
    } catch (error) {
      expect((error as Error).message).toBe("the proxy URL http://127.0.0.1:4000 must not carry credentials: the master key authenticates, set LITELLM_BASE_URL without user:password@");
    }
  });

  test("an error body that echoes a key is shown short and redacted", async () => {
    handler = json({ error: { message: `Key sk-virtual-1234567890abcdef is invalid ${"x".repeat(500)}`, type: "bad_request_error" } }, 400);
    const message = await errorOf(admin().generateKey({ key: "sk-virtual-1234567890abcdef" }));
    expect(message).not.toContain("sk-virtual-1234567890abcdef");
    expect(message).toMatch(/^POST \/key\/generate at .* failed with HTTP 400: bad_request_error: Key sk-… is invalid x+…$/);
    expect(message.length).toBeLessThan(320);
  });

  test("a database that is down behind a readiness that says connected: the real failure, said plainly", async () => {
    // LiteLLM 1.108.5 keeps answering db: connected; admin calls then fail with 500 (seen on the real proxy).
    handler = (req, res) =>
      req.url === "/health/readiness"
        ? json({ status: "healthy", db: "connected" })(req, res)
        : json({ error: { message: "Can't reach database server at `postgres:5432`", type: "internal_server_error", param: null, code: "500" } }, 500)(req, res);
    expect(await errorOf(admin().listKeys())).toMatch(/^the proxy at .* cannot reach its database \(GET \/key\/list, HTTP 500\): check the Postgres container/);
  });

  test("an unreachable proxy names the address, without credentials", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const closed = new LiteLLMAdmin(`http://127.0.0.1:${port}`, "sk-x", 2_000);
    expect(await errorOf(closed.requireDatabase())).toBe(`cannot reach http://127.0.0.1:${port}/health/readiness (ECONNREFUSED): is the stack deployed and the URL right?`);
  });
});

describe("destroy's key step warns and lets the teardown go on", () => {
  test("an HTML answer gives one warning line, and no exception", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>502</html>");
    };
    const warnings: string[] = [];
    await tearDownKeysOrWarn(() => ({ admin: admin(), values: { openclaw: "sk-openclaw-value-000000000000" } }), mkdtempSync(join(tmpdir(), "keys-")), "unit", (line) => warnings.push(line));
    expect(warnings).toEqual([expect.stringMatching(/^warning: virtual keys not deleted \(GET \/health\/readiness at .* not JSON .*\); they go with the database volume$/)]);
  });
});
