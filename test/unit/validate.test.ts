import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/catalog/config-error";
import { loadStackConfig } from "../../src/catalog/load-config";
import { stackConfigSchema } from "../../src/catalog/schema";
import { validateStackConfig } from "../../src/catalog/validate";
import { imagePinProblems } from "../../src/catalog/image-policy";
import { PINNED_LITELLM_IMAGE, PINNED_LITELLM_VERSION } from "../../src/catalog/pinned-images";
import { configInput, presets, problemsOf, validConfig } from "./helpers";

describe("validateStackConfig", () => {
  test("applies presets and defaults", () => {
    const config = validConfig();
    expect(config.models.map((m) => m.id)).toEqual(["claude-opus-4-6", "gpt-4o", "mock"]);
    expect(config.models[0]).toMatchObject({ maxTokens: 64000, deployments: [{ model: "anthropic/claude-opus-4-6", apiKeyEnv: "ANTHROPIC_API_KEY" }] });
    expect(config.litellm).toMatchObject({ port: 4000, bindAddress: "127.0.0.1", workers: 1 });
    expect(config.database).toMatchObject({ enabled: true, name: "litellm", user: "litellm" });
    expect(config.openclaw.baseUrl).toBe("http://localhost:4000");
  });

  test("an entry overrides any field of its preset, id included", () => {
    const config = validConfig({ models: [{ preset: "mock", id: "echo", maxTokens: 10, mockResponse: "pong" }] , router: {}, openclaw: {} });
    expect(config.models[0]).toMatchObject({ id: "echo", maxTokens: 10, deployments: [{ mockResponse: "pong", model: "openai/mock" }] });
    expect(config.openclaw.primary).toBe("echo");
  });

  test("the advertised base URL follows the chosen port", () => {
    expect(validConfig({ litellm: { port: 4100 } }).openclaw.baseUrl).toBe("http://localhost:4100");
  });

  test("fails on unknown keys, at any depth", () => {
    expect(problemsOf(configInput({ colour: "blue" }))).toEqual([expect.stringMatching(/^colour: unknown key/)]);
    expect(problemsOf(configInput({ litellm: { prot: 4000 } }))).toEqual(['litellm.prot: unknown key (did you mean "port"?)']);
    expect(problemsOf(configInput({ models: [{ preset: "mock", maxTokenz: 5 }] , router: {}, openclaw: {} }))).toEqual([
      'models[0].maxTokenz: unknown key (did you mean "maxTokens"?)',
    ]);
    // Deeper, in a list, another case; and nothing suggested when nothing is close.
    expect(problemsOf(configInput({ keys: [{ alias: "a", maxbudget: 5 }] })).sort()).toEqual([
      "keys[0].maxBudget: is required",
      'keys[0].maxbudget: unknown key (did you mean "maxBudget"?)',
    ]);
    expect(problemsOf(configInput({ database: { colour: "blue" } }))).toEqual(["database.colour: unknown key"]);
  });

  test("a misspelt preset is named once, and never listed among the catalog's model ids", () => {
    const problems = problemsOf(configInput({ models: [{ preset: "mokc" }, { preset: "gpt-4o" }], router: {}, openclaw: { primary: "mock" } }));
    expect(problems).toEqual([
      expect.stringMatching(/^models\[0\]\.preset: unknown preset "mokc" \(known: /),
      'openclaw.primary: "mock" is not a model id of the catalog (known: gpt-4o)',
    ]);
  });

  test("a number written as text (a budget in quotes, with a currency sign) says how to write it", () => {
    for (const budget of ["50", "$50"]) {
      expect(problemsOf(configInput({ keys: [{ alias: "openclaw", maxBudget: budget }] }))).toEqual([
        'keys[0].maxBudget: must be a number, not text: no quotes, no currency sign (50, not "50" or $50)',
      ]);
    }
    expect(problemsOf(configInput({ litellm: { port: "4000" } }))).toEqual(['litellm.port: must be a number, not text: no quotes, no currency sign (50, not "50" or $50)']);
  });

  test("fails on duplicate model ids", () => {
    const problems = problemsOf(configInput({ models: [{ preset: "mock" }, { preset: "mock" }], router: {}, openclaw: {} }));
    expect(problems).toEqual(['models[1].id: duplicate model id "mock" (also models[0])']);
  });

  test("fails on an unknown preset, listing the known ones", () => {
    const [problem] = problemsOf(configInput({ models: [{ preset: "gpt-5-turbo-max" }], router: {}, openclaw: {} }));
    expect(problem).toMatch(/^models\[0\]\.preset: unknown preset "gpt-5-turbo-max" \(known: .*claude-opus-4-6.*mock/);
  });

  test("fails when a fallback or the primary names no model of the catalog", () => {
    const problems = problemsOf(
      configInput({
        router: { fallbacks: { "claude-opus-4-6": ["gpt-5"], "o9": ["gpt-4o"] } },
        openclaw: { primary: "gemini-9", fallbacks: ["nope"] },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^router\.fallbacks\.claude-opus-4-6\[0\]: "gpt-5" is not a model id/),
      expect.stringMatching(/^router\.fallbacks\.o9: "o9" is not a model id/),
      expect.stringMatching(/^openclaw\.primary: "gemini-9" is not a model id/),
      expect.stringMatching(/^openclaw\.fallbacks\[0\]: "nope" is not a model id/),
    ]);
  });

  test("fails when a model has no maxTokens, or more than its context window", () => {
    const problems = problemsOf(
      configInput({
        models: [
          { id: "a", name: "A", model: "openai/a", contextWindow: 1000 },
          { preset: "mock", id: "b", contextWindow: 8192, maxTokens: 9000 },
        ],
        router: {},
        openclaw: {},
      }),
    );
    expect(problems).toEqual(["models[0].maxTokens: is required", "models[1].maxTokens: 9000 exceeds the context window (8192)"]);
  });

  test.each([0, 65536, 4000.5, -1])("fails on port %p", (port) => {
    expect(problemsOf(configInput({ litellm: { port } }))).toEqual([expect.stringMatching(/^litellm\.port: /)]);
  });

  test.each(["localhost", "256.1.1.1", "0.0.0.0/0", ""])("fails on bind address %p", (bindAddress) => {
    expect(problemsOf(configInput({ litellm: { bindAddress } }))).toEqual([
      `litellm.bindAddress: "${bindAddress}" is not an IPv4 or IPv6 address`,
    ]);
  });

  test("accepts IPv6 and all-interfaces bind addresses", () => {
    expect(validConfig({ litellm: { bindAddress: "::1" } }).litellm.bindAddress).toBe("::1");
    expect(validConfig({ litellm: { bindAddress: "0.0.0.0" } }).litellm.bindAddress).toBe("0.0.0.0");
  });

  test.each([
    ["ghcr.io/berriai/litellm-database", /has no tag/],
    ["ghcr.io/berriai/litellm-database:latest", /moving tag "latest"/],
    ["ghcr.io/berriai/litellm-database:main-latest", /moving tag "main-latest"/],
    ["ghcr.io/berriai/litellm-database:main-stable", /moving tag "main-stable"/],
    ["ghcr.io/berriai/litellm-database:main-v1.90.0-stable", /moving tag/],
    ["ghcr.io/berriai/litellm-database:v1.83.10-stable", /below the security floor 1\.84\.0/],
    ["ghcr.io/berriai/litellm-database:v1.82.7", /known compromised release/],
    ["ghcr.io/berriai/litellm-database:1.82.8", /known compromised release/],
    ["ghcr.io/berriai/litellm-database:custom", /uses the tag "custom", which moves/],
    ["ghcr.io/berriai/litellm-database:v1.109.0-rc1", /is a pre-release \("v1\.109\.0-rc1"\)/],
    ["ghcr.io/berriai/litellm-database:v1.109.0-nightly", /is a pre-release/],
    ["ghcr.io/berriai/litellm-database:v1.108.5.dev3", /is a pre-release/],
  ])("fails on LiteLLM image %s", (image, message) => {
    expect(problemsOf(configInput({ litellm: { image } }))).toEqual([expect.stringMatching(message)]);
  });

  test.each([
    ["postgres", /has no tag/],
    ["postgres:latest", /moving tag/],
    ["registry:5000/postgres", /has no tag/],
    ["postgres:16", /uses the tag "16", which moves with every release of its line/],
    ["postgres:alpine", /uses the tag "alpine"/],
    ["postgres:17beta1", /uses the tag "17beta1"|pre-release/],
    ["postgres:18.0-rc1", /is a pre-release/],
  ])("fails on Postgres image %s", (image, message) => {
    expect(problemsOf(configInput({ database: { image } }))).toEqual([expect.stringMatching(new RegExp(`^database\\.image: .*${message.source}`))]);
  });

  test("an image of a repository or registry named after litellm is not offered a LiteLLM version", () => {
    expect(imagePinProblems("litellm-stack-e2e/redis:8")).toEqual([expect.not.stringContaining(`v${PINNED_LITELLM_VERSION}`)]);
    expect(imagePinProblems("registry.litellm.example/haproxy:3")).toEqual([expect.not.stringContaining(`v${PINNED_LITELLM_VERSION}`)]);
    expect(imagePinProblems("ghcr.io/berriai/litellm-database:1")).toEqual([expect.stringContaining(`e.g. ${PINNED_LITELLM_IMAGE}`)]);
  });

  test("every image reference a message suggests is itself accepted", () => {
    const refused = ["postgres", "postgres:16", "postgres:alpine", "postgres:latest", "ghcr.io/berriai/litellm-database", "ghcr.io/berriai/litellm-database:main-stable", "ghcr.io/berriai/litellm-database:v1.82.7", "ghcr.io/berriai/litellm-database:v1.80.0", "ghcr.io/berriai/litellm-database:v2-rc1"];
    const suggestions = refused.flatMap((image) =>
      problemsOf(configInput({ litellm: { image: image.includes("litellm") ? image : undefined }, database: { image: image.includes("litellm") ? undefined : image } }))
        .map((p) => / e\.g\. (\S+)$/.exec(p)?.[1])
        .filter((s): s is string => s !== undefined),
    );
    expect(suggestions.length).toBe(refused.length);
    for (const image of suggestions) {
      const config = image.includes("litellm") ? validConfig({ litellm: { image } }) : validConfig({ database: { image } });
      expect([config.litellm.image, config.database.image]).toContain(image);
    }
  });

  test("a digest pins exactly, with or without a tag", () => {
    const digest = `@sha256:${"b".repeat(64)}`;
    expect(validConfig({ database: { image: `postgres${digest}` } }).database.image).toBe(`postgres${digest}`);
    expect(validConfig({ database: { image: `postgres:16${digest}` } }).database.image).toBe(`postgres:16${digest}`);
    expect(validConfig({ litellm: { image: `ghcr.io/berriai/litellm-database${digest}` } }).litellm.image).toBe(`ghcr.io/berriai/litellm-database${digest}`);
  });

  test("a local image by its id (built or loaded here, no registry digest) pins exactly too; a short or odd id does not", () => {
    const id = `sha256:${"c".repeat(64)}`;
    const config = validConfig({ litellm: { image: id }, database: { image: id }, redis: { image: id } });
    expect([config.litellm.image, config.database.image, config.redis.image]).toEqual([id, id, id]);
    expect(problemsOf(configInput({ database: { image: "sha256:cccc" } }))).toEqual([expect.stringMatching(/^database\.image: "sha256:cccc" uses the tag "cccc"/)]);
    // The suite's own stand-in tag, which moves with its recipe, is still refused: its id is what pins it.
    expect(problemsOf(configInput({ database: { image: "litellm-stack-e2e/postgres:15-16e70f47b94b" } }))).toEqual([
      expect.stringMatching(/^database\.image: .*moves with every release of its line/),
    ]);
  });

  test("accepts a registry with a port and a digest", () => {
    const image = `registry.local:5000/litellm-database:v1.108.5@sha256:${"a".repeat(64)}`;
    expect(validConfig({ litellm: { image } }).litellm.image).toBe(image);
  });

  test("fails on invalid environment variable names", () => {
    const problems = problemsOf(
      configInput({
        models: [
          { preset: "gpt-4o", apiKeyEnv: "OPENAI-KEY" },
          { preset: "mock", credentialsEnv: { aws_region_name: "1REGION" } },
        ],
        router: {},
        openclaw: {},
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^models\[0\]\.apiKeyEnv: must be an environment variable name/),
      expect.stringMatching(/^models\[1\]\.credentialsEnv\.aws_region_name: must be an environment variable name/),
    ]);
  });

  test("reports every problem of a file at once", () => {
    const problems = problemsOf({
      name: "Bad Name",
      litellm: { port: 70000, image: "ghcr.io/berriai/litellm-database:latest" },
      models: [{ preset: "mock" }, { preset: "nope" }],
      openclaw: { primary: "ghost" },
      extra: true,
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual(
      expect.arrayContaining(["extra", "name", "litellm.port", "litellm.image", "models[1].preset", "openclaw.primary"]),
    );
    expect(problems).toHaveLength(6);
  });

  test("fails on a file that is not a mapping, and on a missing model list", () => {
    expect(problemsOf(["a"])).toEqual([expect.stringMatching(/^\(file\): must be a YAML mapping/)]);
    expect(problemsOf({ name: "x" })).toEqual([expect.stringMatching(/^models: is required/)]);
  });
});

describe("loadStackConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "stack-config-"));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test("loads the repository's default stack.config.yaml", () => {
    const config = loadStackConfig(join(__dirname, "../../stack.config.yaml"), presets);
    expect(config.models.map((m) => m.id)).toEqual(["claude-opus-4-6", "gpt-4o", "mock"]);
    expect(config.openclaw.primary).toBe("claude-opus-4-6");
  });

  test("fails on an unreadable file, naming it", () => {
    const missing = join(dir, "missing.yaml");
    expect(() => loadStackConfig(missing, presets)).toThrow(ConfigError);
    expect(() => loadStackConfig(missing, presets)).toThrow(`${missing}: 1 problem\n  - (file): cannot be read: file not found`);
  });

  test("fails on malformed YAML, with its position", () => {
    const file = write("bad.yaml", "models:\n  - preset: mock\n   id: [unclosed\n");
    expect(() => loadStackConfig(file, presets)).toThrow(/\(file\): malformed YAML: .*line 3/);
  });

  test("fails on a key written twice", () => {
    const file = write("twice.yaml", "models:\n  - preset: mock\nname: a\nname: b\n");
    expect(() => loadStackConfig(file, presets)).toThrow(/malformed YAML: Map keys must be unique/);
  });
});

describe("environment references cannot leak the stack's secrets or the deployer's shell", () => {
  test("fails when a free-text field starts with os.environ/ (LiteLLM would serve that variable's value)", () => {
    expect(problemsOf(configInput({ models: [{ preset: "mock", mockResponse: "os.environ/LITELLM_MASTER_KEY" }], router: {}, openclaw: {} }))).toEqual([
      'models[0].mockResponse: must not start with "os.environ/": LiteLLM would replace it with that environment variable\'s value',
    ]);
    expect(problemsOf(configInput({ models: [{ preset: "mock", name: "os.environ/HOME" }], router: {}, openclaw: {} }))).toEqual([
      expect.stringMatching(/^models\[0\]\.name: must not start with "os\.environ\/"/),
    ]);
  });

  test.each([
    ["LITELLM_MASTER_KEY", "LITELLM_MASTER_KEY is one of the stack's own secrets"],
    ["LITELLM_SALT_KEY", "LITELLM_SALT_KEY is one of the stack's own secrets"],
    ["DATABASE_URL", "DATABASE_URL is one of the stack's own secrets"],
    ["LITELLM_DB_PASSWORD", "LITELLM_DB_PASSWORD is one of the stack's own secrets"],
    ["PATH", "PATH is a variable of the deployer's shell or of the proxy itself"],
    ["HOME", "HOME is a variable of the deployer's shell or of the proxy itself"],
    ["TF_VAR_X", "TF_* variables belong to the stack, its tools or the deployer's shell"],
    ["DOCKER_HOST", "DOCKER_* variables belong to the stack, its tools or the deployer's shell"],
  ])("fails when a credential names %s, as a config error", (name, reason) => {
    expect(problemsOf(configInput({ models: [{ preset: "claude-opus-4-6", apiKeyEnv: name }] }))).toContain(
      `models[0].apiKeyEnv: cannot hold an upstream credential: ${reason}; use a variable of its own, e.g. ANTHROPIC_API_KEY`,
    );
  });

  test("fails when credentialsEnv names a reserved variable or a parameter LiteLLM returns to callers", () => {
    const problems = problemsOf(
      configInput({ models: [{ preset: "mock", credentialsEnv: { aws_secret_access_key: "HOME", mock_response: "ANTHROPIC_API_KEY" } }], router: {}, openclaw: {} }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^models\[0\]\.credentialsEnv\.aws_secret_access_key: cannot hold an upstream credential: HOME/),
        expect.stringMatching(/^models\[0\]\.credentialsEnv\.mock_response: is not a credential parameter/),
      ]),
    );
  });

  test("an upstream credential of its own, Bedrock's AWS_* included, is accepted", () => {
    const config = validConfig({
      models: [{ preset: "mock", credentialsEnv: { aws_access_key_id: "AWS_ACCESS_KEY_ID" } }, { preset: "claude-opus-4-6", apiKeyEnv: "TEAM_ANTHROPIC_KEY" }],
      router: {},
      openclaw: {},
    });
    expect(config.models.map((m) => m.deployments[0].apiKeyEnv ?? m.deployments[0].credentialsEnv)).toEqual([{ aws_access_key_id: "AWS_ACCESS_KEY_ID" }, "TEAM_ANTHROPIC_KEY"]);
  });
});

describe("no input file crashes or floods the screen", () => {
  const dir = mkdtempSync(join(tmpdir(), "bad-input-"));
  const write = (name: string, content: string | Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const messageOf = (file: string) => {
    try {
      loadStackConfig(file, presets, {});
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error("accepted");
  };

  test("fails on a binary file in one line", () => {
    const message = messageOf(write("binary.yaml", Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256))));
    expect(message).toBe(`${join(dir, "binary.yaml")}: 1 problem\n  - (file): is not a UTF-8 text file (a binary file?)`);
  });

  test("fails on a file too large to be a configuration, without reading it", () => {
    expect(messageOf(write("huge.yaml", "#".repeat(2 * 1024 * 1024)))).toMatch(/\(file\): is larger than 1024 KiB/);
  });

  test("fails on a YAML alias bomb as a configuration error, not a ReferenceError", () => {
    const bomb = ["a: &a [x,x,x,x,x,x,x,x,x]", "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]", "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]", "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]", "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]", ""].join("\n");
    expect(messageOf(write("bomb.yaml", bomb))).toMatch(/\(file\): cannot be read as YAML: Excessive alias count/);
  });

  test("a file with thousands of problems shows a screenful", () => {
    const many = `models:\n${Array.from({ length: 500 }, (_, i) => `  - preset: nope${i}`).join("\n")}\n`;
    const lines = messageOf(write("many.yaml", many)).split("\n");
    expect(lines.length).toBeLessThanOrEqual(22);
    expect(lines.at(-1)).toMatch(/^  \.\.\. and \d+ more$/);
  });

  test("control characters in the file are shown escaped, never sent to the terminal", () => {
    const message = messageOf(write("escape.yaml", 'litellm:\n  bindAddress: "\\e[31mred\\e[0m"\nmodels:\n  - preset: mock\n'));
    expect(message).not.toMatch(/\u001b/);
    expect(message).toContain("\\u001b[31mred");
  });

  test.each(["constructor", "toString", "__proto__", "hasOwnProperty"])("fails on the key %s, at the top level and in a section", (key) => {
    expect(problemsOf({ models: [{ preset: "mock" }], [key]: 1 })).toContain(`${key}: unknown key (expected one of: ${Object.keys(stackConfigSchema.shape).join(", ")})`);
    expect(problemsOf(JSON.parse(`{"models": [{"preset": "mock"}], "litellm": {"${key}": 1}}`))).toContain(`litellm.${key}: unknown key`);
  });
});

describe("URLs, names and engines that would expose the stack", () => {
  test.each([
    ["http://admin:hunter2@proxy.example:4000", /must not contain credentials/],
    ["http://proxy.example:4000/\u0007x", /must not contain control characters/],
  ])("fails on openclaw.baseUrl %j", (baseUrl, message) => {
    expect(problemsOf(configInput({ openclaw: { primary: "claude-opus-4-6", baseUrl } }))).toEqual([expect.stringMatching(new RegExp(`^openclaw\\.baseUrl: ${message.source}`))]);
  });

  test("fails on a model apiBase with credentials in it", () => {
    expect(problemsOf(configInput({ models: [{ preset: "mock", apiBase: "https://u:p@llm.example" }], router: {}, openclaw: {} }))).toEqual([
      expect.stringMatching(/^models\[0\]\.apiBase: must not contain credentials/),
    ]);
  });

  test("fails on a stack name that another stack's experiment would take", () => {
    expect(problemsOf(configInput({ name: "litellm-exp-foo" }))).toEqual([
      'name: must not contain "-exp-": that is how experiments of another stack are named (litellm + EXPERIMENT=foo is litellm-exp-foo)',
    ]);
  });

  test.each(["tcp://10.0.0.5:2375", "tcp://docker.example:2375"])("fails on a plain-TCP Docker host beyond loopback (%s) without TLS", (host) => {
    expect(problemsOf(configInput({ docker: { host } }))).toEqual([
      expect.stringMatching(/^docker\.host: .* without TLS gives root on the Docker host to anyone on the network: set docker\.certPath/),
    ]);
    expect(validConfig({ docker: { host, certPath: "/certs" } }).docker.host).toBe(host);
    expect(validateStackConfig(configInput({ docker: { host } }), presets, "test", { DOCKER_CERT_PATH: "/certs" }).docker.host).toBe(host);
  });

  test("a plain-TCP engine on loopback, or from DOCKER_HOST without TLS, is judged the same way", () => {
    expect(validConfig({ docker: { host: "tcp://127.0.0.1:2375" } }).docker.host).toBe("tcp://127.0.0.1:2375");
    expect(() => validateStackConfig(configInput(), presets, "test", { DOCKER_HOST: "tcp://10.0.0.5:2375" })).toThrow(/DOCKER_HOST \(environment\): .* without TLS/);
  });
});
