/**
 * The secrets a synth hands to a Terraform run it does not start (cdktf deploy): which ones, the
 * file's privacy, and the refusal of a master key LiteLLM would refuse. What Terraform makes of the
 * file is in terraform-evaluate.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secretInputProblems, secretInputsFile, secretInputValues, writeSecretInputs } from "../../src/terraform/secret-inputs-file";

describe("the synth's secret inputs", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "secret-inputs-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("takes the named secrets set in the environment, and nothing else", () => {
    const env = { LITELLM_MASTER_KEY: "sk-a", ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "sk-o", HOME: "/root" };
    expect(secretInputValues(["LITELLM_MASTER_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "LITELLM_SALT_KEY"], env)).toEqual({
      LITELLM_MASTER_KEY: "sk-a",
      OPENAI_API_KEY: "sk-o",
    });
  });

  test("lives beside the state, owner-only in an owner-only folder, and goes when nothing is set", () => {
    const file = secretInputsFile(dir, "litellm");
    expect(file).toBe(join(dir, "terraform-state", "litellm.secrets.json"));
    writeSecretInputs(file, { LITELLM_MASTER_KEY: "sk-a" });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ LITELLM_MASTER_KEY: "sk-a" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "terraform-state")).mode & 0o777).toBe(0o700);
    writeSecretInputs(file, {});
    expect(existsSync(file)).toBe(false);
  });

  test("replaces a wider file of the same name with an owner-only one", () => {
    const file = secretInputsFile(dir, "litellm");
    writeSecretInputs(file, { LITELLM_MASTER_KEY: "sk-a" });
    writeFileSync(file, "{}", { mode: 0o644 });
    writeSecretInputs(file, { LITELLM_MASTER_KEY: "sk-b" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).LITELLM_MASTER_KEY).toBe("sk-b");
  });

  test("refuses a master key LiteLLM would not boot with, naming the variable and the form to write", () => {
    expect(secretInputProblems({})).toEqual([]);
    expect(secretInputProblems({ LITELLM_MASTER_KEY: "sk-0123456789abcdef" })).toEqual([]);
    for (const bad of ["sk-1234", "my-key"]) {
      expect(secretInputProblems({ LITELLM_MASTER_KEY: bad })).toEqual([
        { path: "LITELLM_MASTER_KEY", message: expect.stringContaining('must start with "sk-"') },
      ]);
    }
  });
});
