import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

// A command exits when nothing is pending: a timer left by the watch kept every deploy and destroy
// alive up to an interval after its last line (found by npm run bench -- deploy).
test("a watch stopped while it sleeps ends at once and leaves nothing that keeps the process alive", async () => {
  // No engine answers there: each look fails at once, and the watch sleeps its 5 s interval.
  const script = `
    const { watchStarts } = require(${JSON.stringify(join(root, "src", "lifecycle", "start-watch.ts"))});
    const watch = watchStarts(["litellm-stack-unit-no-such-container"], Date.now(), { host: "unix:///nonexistent/docker.sock" }, 5000);
    setTimeout(async () => {
      watch.stop();
      console.log("stopped", await watch.failure);
    }, 1000);`;
  const child = spawn(join(root, "node_modules", ".bin", "tsx"), ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let stoppedAt = 0;
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes("stopped")) stoppedAt ||= performance.now();
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  const exitLag = performance.now() - stoppedAt;
  expect(code).toBe(0);
  expect(output.trim()).toBe("stopped undefined");
  expect(exitLag).toBeLessThan(1_500);
}, 20_000);
