import { PhaseTimer } from "../../src/lifecycle/phase-timer";

test("each phase's time is added up in the order phases first ran, and printed only when asked", async () => {
  const timer = new PhaseTimer();
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await timer.time("synth", () => wait(20));
  await timer.time("outputs", () => wait(5));
  await expect(timer.time("plan", () => Promise.reject(new Error("plan failed")))).rejects.toThrow("plan failed");
  await timer.time("outputs", () => wait(5));
  expect(Object.keys(timer.totals)).toEqual(["synth", "outputs", "plan"]);
  expect(timer.totals.synth).toBeGreaterThanOrEqual(15);
  expect(timer.totals.outputs).toBeGreaterThanOrEqual(8);
  const lines: string[] = [];
  timer.report({}, (line) => lines.push(line));
  expect(lines).toEqual([]);
  timer.report({ LITELLM_STACK_PHASES: "1" }, (line) => lines.push(line));
  expect(lines).toEqual([expect.stringMatching(/^phases \{"synth":\d+,"outputs":\d+,"plan":\d+\}\n$/)]);
});

test("time measured elsewhere is added to its phase, and a synchronous step is timed too", async () => {
  const timer = new PhaseTimer();
  timer.add("node start-up", 120);
  expect(await timer.time("engine and port checks", () => "answered")).toBe("answered");
  timer.add("node start-up", 5);
  expect(Object.keys(timer.totals)).toEqual(["node start-up", "engine and port checks"]);
  expect(timer.totals["node start-up"]).toBe(125);
});
