import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupPath, backupSummary, keptBackupsLine, parseRowCounts, rowCountQuery, tablesInListing } from "../../src/lifecycle/database-backup";
import { AdminError } from "../../src/proxy-admin/litellm-admin";

describe("npm run backup's pure parts", () => {
  test("the file: backups/<stack>/<stack>-<UTC time>.dump, so that sorted by name is sorted by time", () => {
    expect(backupPath("/p", "litellm", new Date("2026-12-07T19:05:09.123Z"))).toBe("/p/backups/litellm/litellm-20261207T190509.123Z.dump");
    const paths = ["2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z", "2027-01-01T00:00:00Z"].map((t) => backupPath("/p", "s", new Date(t)));
    expect([...paths].sort()).toEqual(paths);
  });

  test("row counts: one query for the three tables, read back by label", () => {
    expect(rowCountQuery()).toBe(
      'select (select count(*) from "LiteLLM_VerificationToken"), (select count(*) from "LiteLLM_SpendLogs"), (select count(*) from "LiteLLM_BudgetTable")',
    );
    expect(parseRowCounts("3|120|0\n")).toEqual({ keys: 3, "spend logs": 120, budgets: 0 });
  });

  test("row counts psql did not give are an error, not zeros", () => {
    expect(() => parseRowCounts('ERROR:  relation "LiteLLM_SpendLogs" does not exist')).toThrow(AdminError);
    expect(() => parseRowCounts("3|120")).toThrow(/could not read the row counts/);
  });

  test("tables in a pg_restore --list: the TABLE DATA entries only", () => {
    const listing = [
      ";",
      "; Archive created at 2026-12-07 19:05:09 UTC",
      "215; 1259 16390 TABLE public LiteLLM_SpendLogs litellm",
      "3358; 0 16390 TABLE DATA public LiteLLM_SpendLogs litellm",
      "3359; 0 16400 TABLE DATA public LiteLLM_VerificationToken litellm",
      "3100; 2606 16500 CONSTRAINT public LiteLLM_SpendLogs LiteLLM_SpendLogs_pkey litellm",
    ].join("\n");
    expect(tablesInListing(listing)).toBe(2);
    expect(tablesInListing("")).toBe(0);
  });

  test("the summary: path relative to the checkout, size, counts, and where the salt key is", () => {
    const lines = backupSummary("team", { path: "/p/backups/team/team-20261207T190509Z.dump", bytes: 3 * 1024 * 1024, counts: { keys: 2, "spend logs": 40, budgets: 1 }, tables: 31 }, "/p");
    expect(lines[0]).toBe('backup of stack "team": backups/team/team-20261207T190509Z.dump (3.0 MiB, readable by its owner only)');
    expect(lines[1]).toBe("  rows: keys 2, spend logs 40, budgets 1; pg_restore reads 31 tables back from it");
    expect(lines.join("\n")).toContain("terraform-state/team.tfstate");
  });

  test("after a destroy: the backups left are said, with what they hold; none, nothing said", () => {
    const dir = mkdtempSync(join(tmpdir(), "kept-"));
    expect(keptBackupsLine(dir, "s")).toBeUndefined();
    mkdirSync(join(dir, "backups", "s"), { recursive: true });
    for (const file of ["s-1.dump", "s-1.keys.json", "s-2-pre-deploy.dump"]) writeFileSync(join(dir, "backups", "s", file), "x");
    expect(keptBackupsLine(dir, "s")).toBe("kept: backups/s/ (2 backups, with the stack's master key and key values beside them): delete it once you no longer need them");
    rmSync(dir, { recursive: true });
  });
});
