/**
 * A real browser for the suite: Debian's Chromium, headless, with the flags this machine needs
 * (no sandbox as root, no background connections to Google's hosts, which are unreachable here).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export function browserUnavailableReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (bash .ci/run installs Debian's chromium; set CHROMIUM_PATH for another)`;
}

function chromium(args: string[], url: string): { stdout: string; stderr: string; status: number | null } {
  const profile = mkdtempSync(join(tmpdir(), "chromium-"));
  try {
    const result = spawnSync(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        // Lets the page's scripts run (it is a client-rendered app) before the dump or the shot.
        "--virtual-time-budget=15000",
        "--window-size=1280,900",
        ...args,
        url,
      ],
      { encoding: "utf8", timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return { stdout: result.stdout ?? "", stderr: result.stderr ?? "", status: result.status };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The page's DOM after its scripts ran. */
export function renderedDom(url: string): string {
  const result = chromium(["--dump-dom"], url);
  if (result.status !== 0) throw new Error(`chromium --dump-dom ${url} exited ${result.status}: ${result.stderr.slice(-500)}`);
  return result.stdout;
}

export function screenshot(url: string, file: string): void {
  const result = chromium([`--screenshot=${file}`], url);
  if (result.status !== 0 || !existsSync(file)) throw new Error(`chromium --screenshot ${url} failed: ${result.stderr.slice(-500)}`);
}
