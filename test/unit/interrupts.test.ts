/**
 * The relay between a Ctrl-C and the Terraform a command runs, with real processes standing in for
 * Terraform (a node that reports each SIGINT and stops on the second, as Terraform does). The
 * whole sequence with the real Terraform: test/e2e/interrupts.e2e.test.ts.
 */
import { spawn } from "node:child_process";
import { collectOutput } from "../e2e/harness/collect-output";
import { InterruptRelay } from "../../src/lifecycle/interrupts";

/** Prints "ready", then "interrupt N" on each SIGINT; exits 1 on the second, as Terraform does. */
const TERRAFORM_LIKE = `let n=0;process.on("SIGINT",()=>{n++;console.log("interrupt "+n);if(n===2)process.exit(1)});console.log("ready");setInterval(()=>{},1000)`;

function startChild() {
  const child = spawn(process.execPath, ["-e", TERRAFORM_LIKE], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const ready = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  return { child, ready, done: collectOutput(child, Date.now()) };
}

describe("InterruptRelay", () => {
  test("relays each signal to the running Terraform, once per signal, and does not end the command", async () => {
    const exits: string[] = [];
    const relay = new InterruptRelay((signal) => exits.push(signal));
    const { child, ready, done } = startChild();
    relay.track(child);
    await ready;
    relay.receive("SIGINT");
    expect(relay.signal).toBe("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    relay.receive("SIGTERM"); // a second: Terraform then exits at once, as with a second Ctrl-C
    const result = await done;
    expect(result.stdout.trim().split("\n")).toEqual(["ready", "interrupt 1", "interrupt 2"]);
    expect(exits).toEqual([]);
    expect(relay.signal).toBe("SIGINT"); // the first one names the interruption
  });

  test("with no Terraform running: the clean-ups still registered run, then the command ends", async () => {
    const events: string[] = [];
    const relay = new InterruptRelay((signal) => events.push(`exit ${signal}`));
    const withdrawn = relay.onAbruptExit(() => events.push("withdrawn clean-up"));
    relay.onAbruptExit(() => events.push("delete the plan"));
    withdrawn();
    const { child, ready, done } = startChild();
    relay.track(child);
    await ready;
    child.kill("SIGKILL");
    await done;
    relay.receive("SIGINT");
    expect(events).toEqual(["delete the plan", "exit SIGINT"]);
  });
});
