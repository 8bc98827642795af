/** After an e2e run, the names a user's deploy resolves name what they named before it, or nothing. */
import { restoreActions } from "../e2e/harness/image-names";

const STAND_IN = "sha256:aaa";
const REAL = "sha256:bbb";
const BROKEN = "sha256:ccc";

test("stand-in aliases go, a user's image gets its name back, the suite's own images and names go, other images stay", () => {
  const before = new Map([
    ["postgres:16.10", REAL], // the user had the real one
    ["litellm-stack-e2e/postgres:15-x", STAND_IN],
    ["debian:12", "sha256:ddd"],
  ]);
  const after = new Map([
    ["litellm-stack-e2e/postgres:15-x", STAND_IN],
    ["postgres:16.10", STAND_IN], // pointed at the stand-in by the suite
    ["ghcr.io/berriai/litellm-database:v1.108.5", STAND_IN], // not there before
    ["ghcr.io/berriai/litellm-database:v1.108.5-broken-e2e", BROKEN], // built by a suite
    ["debian:12", "sha256:ddd"],
  ]);
  expect(restoreActions(before, after)).toEqual([
    { kind: "retag", name: "postgres:16.10", id: REAL },
    { kind: "untag", name: "ghcr.io/berriai/litellm-database:v1.108.5" },
    { kind: "untag", name: "ghcr.io/berriai/litellm-database:v1.108.5-broken-e2e" },
  ]);
});

test("a name that already named a stand-in before the run (an earlier run's leftover) goes too; a clean engine needs nothing", () => {
  const leftover = new Map([
    ["litellm-stack-e2e/redis:x", STAND_IN],
    ["redis:8.2.2", STAND_IN],
  ]);
  expect(restoreActions(leftover, leftover)).toEqual([{ kind: "untag", name: "redis:8.2.2" }]);
  const clean = new Map([["litellm-stack-e2e/redis:x", STAND_IN]]);
  expect(restoreActions(clean, clean)).toEqual([]);
});
