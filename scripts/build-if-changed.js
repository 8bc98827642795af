#!/usr/bin/env node
/**
 * Compiles the commands (`tsc -p tsconfig.build.json`) only when what they are compiled from has
 * changed since the last successful compile. Every `npm run <command>` starts here: tsc takes about
 * 3 s even on an unchanged tree (it loads and checks every file), this check about 50 ms.
 *
 * Plain JavaScript, since it runs before anything is compiled. "Changed" is decided by content, not
 * by modification times: a checkout, a rename or a clock change cannot fool it. The fingerprint
 * covers every file tsc reads from the project (its sources and configs) and the lock file (the
 * types it compiles against); it is written only after tsc succeeded.
 */
"use strict";
const { createHash } = require("node:crypto");
const { spawnSync } = require("node:child_process");
const { existsSync, readFileSync, readdirSync, writeFileSync } = require("node:fs");
const { join, relative } = require("node:path");

const root = join(__dirname, "..");
const FINGERPRINT = join(root, "dist", ".build-inputs");
const CONFIG = "tsconfig.build.json";
// What tsconfig.build.json includes (its "include"), plus the files that change how it compiles.
const SOURCE_DIRS = ["src", "stacks", "scripts"];
const SOURCE_FILES = ["main.ts", "bench/minimal-app.ts", CONFIG, "tsconfig.json", "package.json", "package-lock.json"];

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function fingerprint() {
  const files = [...SOURCE_DIRS.flatMap((dir) => filesUnder(join(root, dir))), ...SOURCE_FILES.map((file) => join(root, file)).filter(existsSync)].sort();
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

const wanted = fingerprint();
const built = existsSync(FINGERPRINT) ? readFileSync(FINGERPRINT, "utf8").trim() : "";
if (built !== wanted || !existsSync(join(root, "dist", "scripts", "stack.js"))) {
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, CONFIG)], { stdio: "inherit" });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  writeFileSync(FINGERPRINT, `${wanted}\n`);
}
// npm run bench -- deploy reads each step's time; this one's is the process's whole life.
if (process.env.LITELLM_STACK_PHASES === "1") process.stderr.write(`phases ${JSON.stringify({ "compile check": Math.round(performance.now()) })}\n`);
