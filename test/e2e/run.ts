/**
 * `npm run test:e2e`: builds the stand-in images once, sweeps what a crashed earlier run left, runs
 * the lanes of test/e2e/lanes.ts side by side, then the files that need the machine to themselves,
 * and prints each file's time. Each file is one jest process, so a lane keeps its order.
 * `npm run test:e2e -- PATTERN...` runs only the matching files, one after another.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { assertEngineAnswers, removeLabelled, SUITE_LABEL } from "./harness/engine";
import { imageTags, restoreActions, restoreImageNames } from "./harness/image-names";
import { buildLocalImages } from "./harness/images";
import { ALONE, e2eFiles, failureSummary, type FileTiming, fileTimings, type JestFileResult, LANES, type Lane, laneProblems, timingTable } from "./lanes";

const ROOT = join(__dirname, "..", "..");
const JEST = join(ROOT, "node_modules", ".bin", "jest");

interface LaneRun {
  readonly lane: string;
  /** 0 when every file passed. */
  readonly status: number;
  readonly seconds: number;
  readonly files: FileTiming[];
  /** Each failed test, named, with its error's first lines. */
  readonly failures: string[];
}

/** The jest processes: ended with the runner, however it ends (an interrupt, a crash). */
const running = new Set<ChildProcess>();
/** What the names a user's deploy resolves named before the run: given back however the run ends. */
let namesBefore: ReadonlyMap<string, string> | undefined;
process.on("exit", () => running.forEach((child) => child.kill("SIGTERM")));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // An interrupted run skips main's finally: the stand-ins must not keep the pinned names.
    running.forEach((child) => child.kill("SIGTERM"));
    if (namesBefore) for (const line of restoreImageNames(namesBefore)) console.log(`e2e: image name ${line}`);
    process.exit(130);
  });
}

/**
 * One jest process, each output line prefixed with the lane's name (also so that jest's own
 * "Tests:" lines do not count twice beside the runner's total).
 */
function runJest(lane: string, args: readonly string[], report: string): Promise<{ status: number; files: FileTiming[]; failures: string[] }> {
  const child = spawn(JEST, ["-c", "test/e2e/jest.config.js", "--runInBand", "--json", `--outputFile=${report}`, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    createInterface({ input: stream }).on("line", (line) => out.write(`[${lane}] ${line}\n`));
  }
  return new Promise((resolve) => {
    child.on("close", (code) => {
      running.delete(child);
      try {
        const results = (JSON.parse(readFileSync(report, "utf8")) as { testResults: JestFileResult[] }).testResults;
        resolve({ status: code ?? 1, files: fileTimings(lane, results), failures: failureSummary(lane, results) });
      } catch (error) {
        // No report (jest died first) or one of another shape: this run fails, the others go on.
        console.error(`[${lane}] no usable jest report at ${report}: ${(error as Error).message}`);
        resolve({ status: code || 1, files: [], failures: [`FAILED [${lane}] ${args.join(" ")}: jest left no report`] });
      }
    });
  });
}

/** A lane's files, one after another, each in its own jest process. */
async function runLane(lane: Lane, reportDir: string): Promise<LaneRun> {
  const started = Date.now();
  let status = 0;
  const files: FileTiming[] = [];
  const failures: string[] = [];
  for (const file of lane.files) {
    const run = await runJest(lane.name, ["--runTestsByPath", join("test", "e2e", file)], join(reportDir, `${file}.json`));
    status ||= run.status;
    files.push(...run.files);
    failures.push(...run.failures);
  }
  return { lane: lane.name, status, seconds: (Date.now() - started) / 1000, files, failures };
}

async function main(): Promise<number> {
  assertEngineAnswers();
  const problems = laneProblems([...LANES, ALONE], e2eFiles(__dirname));
  if (problems.length > 0) {
    for (const problem of problems) console.error(`error: ${problem}`);
    return 1;
  }
  // What the names a user's deploy resolves named before the suites point them at stand-ins.
  const before = imageTags();
  namesBefore = before;
  const imagesStarted = Date.now();
  buildLocalImages();
  const imageSeconds = (Date.now() - imagesStarted) / 1000;
  console.log(`e2e: stand-in images ready in ${imageSeconds.toFixed(1)} s`);
  await removeLabelled(SUITE_LABEL);

  const patterns = process.argv.slice(2);
  const reportDir = mkdtempSync(join(tmpdir(), "e2e-report-"));
  try {
    let runs: LaneRun[];
    if (patterns.length > 0) {
      const started = Date.now();
      const run = await runJest("selected", patterns, join(reportDir, "selected.json"));
      runs = [{ lane: "selected", status: run.status, seconds: (Date.now() - started) / 1000, files: run.files, failures: run.failures }];
    } else {
      runs = await Promise.all(LANES.map((lane) => runLane(lane, reportDir)));
      runs.push(await runLane(ALONE, reportDir));
    }
    const files = runs.flatMap((run) => run.files);
    const total = (key: "passed" | "failed" | "skipped") => files.reduce((sum, file) => sum + file[key], 0);
    console.log(`\ne2e times (images ${imageSeconds.toFixed(1)} s; ${runs.map((r) => `${r.lane} ${(r.seconds / 60).toFixed(1)} min`).join(", ")})`);
    console.log(timingTable(files));
    if (process.env.E2E_TIMINGS_FILE) {
      const rows = [["images", "", imageSeconds], ...runs.map((r) => [`lane ${r.lane}`, "", r.seconds]), ...files.map((f) => [f.file, f.lane, f.seconds])];
      writeFileSync(process.env.E2E_TIMINGS_FILE, rows.map((row) => row.join("\t")).join("\n") + "\n");
    }
    for (const run of runs.filter((r) => r.status !== 0)) console.log(`lane ${run.lane} failed`);
    for (const failure of runs.flatMap((r) => r.failures)) console.log(failure);
    // One closing line for every file, in jest's words (.ci/run adds it to the unit tests' line).
    console.log(`Tests:       ${total("passed")} passed, ${total("failed")} failed, ${total("skipped")} skipped, ${files.length} files`);
    return runs.every((run) => run.status === 0) ? 0 : 1;
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
    for (const line of restoreImageNames(before)) console.log(`e2e: image name ${line}`);
    // Checked, not assumed: no name a deploy resolves is left on a stand-in.
    const left = restoreActions(before, imageTags());
    if (left.length > 0) {
      console.error(`error: image names still on the suite's stand-ins: ${left.map((a) => a.name).join(", ")}`);
      process.exitCode = 1;
    } else {
      console.log("e2e: no image name a deploy resolves is left on a stand-in");
    }
  }
}

main().then(
  (code) => process.exit(code || (process.exitCode ?? 0)),
  (error) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
