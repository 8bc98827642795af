/**
 * scripts/build-if-changed.js, which every `npm run <command>` runs first: it compiles when a source
 * changed, and only then. Run on a copy of the project, with the real tsc.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "build-if-changed-"));
  for (const entry of ["package.json", "tsconfig.json", "tsconfig.build.json", "main.ts", "src", "stacks", "scripts", "bench"]) {
    cpSync(join(root, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

const build = () => spawnSync(process.execPath, [join(copy, "scripts", "build-if-changed.js")], { encoding: "utf8" });
const compiledAt = () => statSync(join(copy, "dist", ".tsbuildinfo")).mtimeMs;

test("compiles a tree never compiled, then not again while nothing changed, then again after a source changed", () => {
  expect(build().status).toBe(0);
  const first = compiledAt();
  expect(readFileSync(join(copy, "dist", "scripts", "stack.js"), "utf8")).toContain("deploy");

  expect(build().status).toBe(0);
  expect(compiledAt()).toBe(first);

  appendFileSync(join(copy, "src", "catalog", "pinned-images.ts"), "\nexport const ADDED_BY_THE_TEST = 1;\n");
  expect(build().status).toBe(0);
  expect(readFileSync(join(copy, "dist", "src", "catalog", "pinned-images.js"), "utf8")).toContain("ADDED_BY_THE_TEST");
}, 120_000);

test("fails with tsc's exit code and its error when a source does not compile, and compiles on the next run", () => {
  const file = join(copy, "src", "catalog", "pinned-images.ts");
  const original = readFileSync(file, "utf8");
  appendFileSync(file, "\nexport const BROKEN: number = 'not a number';\n");
  const broken = build();
  expect(broken.status).not.toBe(0);
  expect(broken.stdout + broken.stderr).toMatch(/pinned-images\.ts.*TS2322/);
  cpSync(join(root, "src", "catalog", "pinned-images.ts"), file);
  expect(readFileSync(file, "utf8")).not.toBe(original);
  expect(build().status).toBe(0);
  expect(readFileSync(join(copy, "dist", "src", "catalog", "pinned-images.js"), "utf8")).not.toContain("ADDED_BY_THE_TEST");
}, 120_000);
