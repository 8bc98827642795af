/** End-to-end suite: real Docker Engine, LiteLLM, Postgres and OpenClaw. Run with --runInBand. */
module.exports = {
  rootDir: "../..",
  testEnvironment: "node",
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.e2e.test.ts"],
  transform: { "^.+\\.ts$": "ts-jest" },
  testTimeout: 5 * 60_000,
  verbose: true,
  // Keep-alive sockets of the load generators can outlive a suite by minutes: never let them hold CI.
  forceExit: true,
};
