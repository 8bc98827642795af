/** The end-to-end suite's stand-in images must be the software the stack pins. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { liteLLMVersionOfTag, parseImageReference } from "../../src/catalog/image-policy";
import { loadStackConfig } from "../../src/catalog/load-config";
import { PINNED_LITELLM_IMAGE } from "../../src/catalog/pinned-images";
import { imageVersions } from "../e2e/harness/images";
import { presets } from "./helpers";

const root = join(__dirname, "../..");
const versions = imageVersions();
const defaults = loadStackConfig(join(root, "stack.config.yaml"), presets);

test("the LiteLLM stand-in is built from the version the default stack pins", () => {
  const tag = parseImageReference(defaults.litellm.image).tag as string;
  expect(versions.LITELLM_VERSION).toBe(liteLLMVersionOfTag(tag));
});

test("the e2e catalog pins the same images as the default stack", () => {
  const e2e = parse(readFileSync(join(root, "test/e2e/stack.e2e.yaml"), "utf8"));
  expect(e2e.litellm.image).toBe(defaults.litellm.image);
  expect(e2e.database.image).toBe(defaults.database.image);
});

test.each(["stack.config.yaml", "examples/shared.config.yaml", "examples/swarm.config.yaml", "test/e2e/stack.e2e.yaml"])("%s pins the LiteLLM release the stack ships with", (file) => {
  expect(parse(readFileSync(join(root, file), "utf8")).litellm.image).toBe(PINNED_LITELLM_IMAGE);
});

test("the upgrade test starts from an older LiteLLM release than the pin", () => {
  const parts = (version: string) => version.split(".").map(Number);
  const [pin, previous] = [parts(versions.LITELLM_VERSION), parts(versions.LITELLM_PREVIOUS_VERSION)];
  expect(previous).toHaveLength(3);
  const older = previous.findIndex((n, i) => n !== pin[i]);
  expect(older).toBeGreaterThanOrEqual(0);
  expect(previous[older]).toBeLessThan(pin[older]);
});
