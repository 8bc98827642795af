/** The e2e lanes: every file runs in exactly one lane, and each file's time is reported. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ALONE, e2eFiles, failureSummary, fileTimings, type JestFileResult, LANES, laneProblems, timingTable } from "../e2e/lanes";

const E2E_DIR = join(__dirname, "..", "e2e");

test("every e2e file of the repository is in exactly one lane, or runs alone", () => {
  const files = e2eFiles(E2E_DIR);
  expect(files.length).toBeGreaterThan(5);
  expect(laneProblems([...LANES, ALONE], files)).toEqual([]);
});

test("a file in no lane, in two lanes, or named but absent is each reported", () => {
  const lanes = [
    { name: "a", files: ["one.e2e.test.ts", "two.e2e.test.ts"] },
    { name: "b", files: ["two.e2e.test.ts", "gone.e2e.test.ts"] },
  ];
  expect(laneProblems(lanes, ["one.e2e.test.ts", "two.e2e.test.ts", "new.e2e.test.ts"])).toEqual([
    "two.e2e.test.ts is in two lanes: a and b",
    "lane b names gone.e2e.test.ts, which is not in test/e2e",
    "new.e2e.test.ts is in no lane: add it to LANES in test/e2e/lanes.ts",
  ]);
});

const result = (name: string, seconds: number, statuses: string[], status = "passed"): JestFileResult => ({
  name: `/repo/test/e2e/${name}`,
  status,
  startTime: 1_000,
  endTime: 1_000 + seconds * 1000,
  assertionResults: statuses.map((s) => ({ status: s })),
});

test("each file's time and counts come from jest's report; a file that could not run counts as failed", () => {
  const rows = fileTimings("local", [
    result("a.e2e.test.ts", 90, ["passed", "passed", "failed", "pending"], "failed"),
    result("b.e2e.test.ts", 30, [], "failed"),
  ]);
  expect(rows).toEqual([
    { lane: "local", file: "a.e2e.test.ts", seconds: 90, passed: 2, failed: 1, skipped: 1 },
    { lane: "local", file: "b.e2e.test.ts", seconds: 30, passed: 0, failed: 1, skipped: 0 },
  ]);
});

test("a real jest 30 --json report (two files of a lane, trimmed to four tests each) gives each file's time and counts", () => {
  const report = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "jest-e2e-report.json"), "utf8"));
  expect(fileTimings("local", report.testResults)).toEqual([
    { lane: "local", file: "stack.e2e.test.ts", seconds: 332.68, passed: 4, failed: 0, skipped: 0 },
    { lane: "local", file: "remote-state.e2e.test.ts", seconds: 629.1, passed: 4, failed: 0, skipped: 0 },
  ]);
});

test("the table lists the longest file first, in minutes", () => {
  const table = timingTable([
    ...fileTimings("x", [result("short.e2e.test.ts", 30, ["passed"])]),
    ...fileTimings("y", [result("long.e2e.test.ts", 600, ["passed", "passed"])]),
  ]).split("\n");
  expect(table).toHaveLength(3);
  expect(table[1]).toMatch(/^long\.e2e\.test\.ts\s+y\s+10\.0 min {2}2 passed, 0 failed, 0 skipped$/);
  expect(table[2]).toMatch(/^short\.e2e\.test\.ts\s+x\s+0\.5 min {2}1 passed/);
});

test("each failed test is named with its error's first lines, colours removed; a file that did not run says why", () => {
  const failed: JestFileResult = {
    ...result("swarm.e2e.test.ts", 60, []),
    status: "failed",
    assertionResults: [
      { status: "passed", fullName: "swarm profile replicas serve" },
      { status: "failed", fullName: "swarm profile a limit holds", failureMessages: ["Error: \u001b[2mexpect(\u001b[22mreceived\n\n\nExpected: <= 12\nReceived:    17\n    at Object.<anonymous>"] },
    ],
  };
  const broken: JestFileResult = { ...result("keys.e2e.test.ts", 1, [], "failed"), message: "Cannot find module './gone'" };
  expect(failureSummary("swarm", [failed, broken], 3)).toEqual([
    "FAILED [swarm] swarm.e2e.test.ts › swarm profile a limit holds\n    Error: expect(received\n    Expected: <= 12\n    Received:    17",
    "FAILED [swarm] keys.e2e.test.ts: the file did not run\n    Cannot find module './gone'",
  ]);
  expect(failureSummary("local", [result("ok.e2e.test.ts", 1, ["passed"])])).toEqual([]);
});
