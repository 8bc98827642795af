import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupKeysFile, readBackupKeys, writeBackupKeys } from "../../src/lifecycle/backup-keys";
import { foreignArchiveReason, ownRecord } from "../../src/lifecycle/database-restore";
import { tokenHash } from "../../src/proxy-admin/key-plan";
import { forgetRestoredKeys, readRestoredKeys, restoredKeyInputs, restoredKeysFile, writeRestoredKeys } from "../../src/terraform/restored-keys";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "restore-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("what npm run restore decides before it changes anything", () => {
  test("a listing without LiteLLM's keys table is a foreign archive", () => {
    expect(foreignArchiveReason("3359; 0 16400 TABLE DATA public LiteLLM_VerificationToken litellm\n")).toBeUndefined();
    expect(foreignArchiveReason("3359; 0 16400 TABLE DATA public orders shop\n")).toBe(
      "it holds no LiteLLM_VerificationToken table: it is not a backup of a LiteLLM database",
    );
    // A table whose name only starts the same is not it.
    expect(foreignArchiveReason("3359; 0 16400 TABLE DATA public LiteLLM_VerificationTokenOld x\n")).toBeDefined();
  });

  test("a database counts as used when it has spend rows or keys the stack's state does not hold", () => {
    const counts = { keys: 2, "spend logs": 0, budgets: 0 };
    expect(ownRecord(counts, [tokenHash("sk-a"), tokenHash("sk-b")], ["sk-a", "sk-b"])).toEqual({ spendRows: 0, foreignKeys: 0 });
    expect(ownRecord(counts, [tokenHash("sk-a"), tokenHash("sk-other")], ["sk-a"])).toEqual({ spendRows: 0, foreignKeys: 1 });
    expect(ownRecord({ ...counts, "spend logs": 7 }, [], [])).toEqual({ spendRows: 7, foreignKeys: 0 });
  });
});

describe("the key values a backup keeps and a restore hands back", () => {
  test("kept beside the dump, owner-only, never over an existing file", () => {
    const dump = join(dir, "s-20261207T190509Z.dump");
    writeBackupKeys(dump, { stack: "s", masterKey: "sk-master", keys: { openclaw: "sk-a" } });
    expect(backupKeysFile(dump)).toBe(join(dir, "s-20261207T190509Z.keys.json"));
    expect(statSync(backupKeysFile(dump)).mode & 0o777).toBe(0o600);
    expect(readBackupKeys(dump)).toEqual({ stack: "s", masterKey: "sk-master", keys: { openclaw: "sk-a" } });
    expect(() => writeBackupKeys(dump, { stack: "s", keys: {} })).toThrow(/EEXIST/);
    expect(readBackupKeys(join(dir, "other.dump"))).toBeUndefined();
  });

  test("handed to the synth for the declared aliases only; an undeclared one is forgotten for good", () => {
    writeRestoredKeys(dir, "s", { masterKey: "sk-master", keys: { openclaw: "sk-a", ci: "sk-c" } });
    expect(statSync(restoredKeysFile(dir, "s")).mode & 0o777).toBe(0o600);
    expect(restoredKeyInputs(dir, "s", ["openclaw"])).toEqual({ LITELLM_MASTER_KEY: "sk-master", "virtual_key.openclaw": "sk-a" });
    // Declared again later: ci gets a new value, not the restored one.
    expect(restoredKeyInputs(dir, "s", ["openclaw", "ci"])).toEqual({ LITELLM_MASTER_KEY: "sk-master", "virtual_key.openclaw": "sk-a" });
  });

  test("a revoked alias is forgotten; the file goes when nothing is left", () => {
    writeRestoredKeys(dir, "s", { keys: { openclaw: "sk-a" } });
    forgetRestoredKeys(dir, "s", ["openclaw"]);
    expect(existsSync(restoredKeysFile(dir, "s"))).toBe(false);
    expect(readRestoredKeys(dir, "s")).toEqual({ keys: {} });
  });
});
