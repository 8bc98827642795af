/**
 * The renderers are siblings over shared specs: none reaches into another's folder, and the shared
 * rooms (specs, terraform) depend on no renderer. A Kubernetes renderer then takes only what the
 * other two take.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const SRC = join(__dirname, "..", "..", "src");
const RENDERERS = ["containers", "swarm"];

/** The src/ folders a folder's files import from (relative imports only). */
function importedFolders(folder: string): Set<string> {
  const folders = new Set<string>();
  for (const file of readdirSync(join(SRC, folder)).filter((name) => name.endsWith(".ts"))) {
    const text = readFileSync(join(SRC, folder, file), "utf8");
    for (const match of text.matchAll(/from "\.\.\/([a-z-]+)\//g)) folders.add(match[1]);
  }
  return folders;
}

test.each(RENDERERS)("renderer src/%s imports no other renderer", (renderer) => {
  const others = RENDERERS.filter((other) => other !== renderer);
  expect([...importedFolders(renderer)].filter((folder) => others.includes(folder))).toEqual([]);
});

test.each(["specs", "terraform"])("shared src/%s imports no renderer", (shared) => {
  const imported = importedFolders(shared);
  expect(imported.size).toBeGreaterThan(0); // not vacuous: it does import from src/
  expect([...imported].filter((folder) => RENDERERS.includes(folder))).toEqual([]);
});
