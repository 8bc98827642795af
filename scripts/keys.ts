/**
 * Virtual keys of the deployed stack.
 *
 *   npm run keys -- reconcile        create and update the declared keys; revoke the stack's keys the
 *                                    configuration no longer declares (or a deploy retired)
 *   npm run keys -- teardown         delete every key the stack manages
 *   npm run --silent keys -- get openclaw    print one key's value (for export LITELLM_API_KEY=...)
 *   npm run --silent keys -- master-key      print the proxy's admin key
 *
 * The Terraform graph's keys step runs `reconcile` (with the values in its environment) and, when
 * the step goes, `retire` (src/proxy-admin/key-step.ts).
 */
import { loadStackConfig } from "../src/catalog/load-config";
import { projectRoot } from "../src/catalog/project-root";
import { reconcileStackKeys, retireStepKeys, tearDownKeys } from "../src/proxy-admin/key-reconciler";
import { STEP_KEY_HASHES_ENV } from "../src/catalog/env-names";
import { readRetiredKeys, writeRetiredKeys } from "../src/proxy-admin/retired-keys";
import { connectToProxy } from "../src/lifecycle/stack-outputs";
import { runCommand } from "./command";

const COMMANDS = ["reconcile", "teardown", "get", "master-key", "retire"];

async function main([command, alias]: string[]): Promise<number> {
  if (!COMMANDS.includes(command)) {
    console.error("usage: keys.js reconcile | teardown | get <alias> | master-key");
    return 2;
  }
  const config = loadStackConfig();
  if (command === "retire") {
    // The keys step's destroy-time command: the hashes it held are in its environment.
    retireStepKeys(config.name, JSON.parse(process.env[STEP_KEY_HASHES_ENV] || "{}") as Record<string, string>, projectRoot());
    return 0;
  }
  const { access, admin } = await connectToProxy(config);
  switch (command) {
    case "reconcile": {
      const actions = await reconcileStackKeys(admin, config, access.keys, [], projectRoot());
      if (actions.length === 0) console.log(`nothing to reconcile: stack "${config.name}" declares no keys and its state holds none`);
      return 0;
    }
    case "teardown":
      await tearDownKeys(admin, access.keys, console.log, readRetiredKeys(projectRoot(), config.name));
      writeRetiredKeys(projectRoot(), config.name, []);
      return 0;
    case "master-key":
      process.stdout.write(`${access.masterKey}\n`);
      return 0;
    case "get": {
      const value = alias ? access.keys[alias] : undefined;
      if (!value) {
        console.error(`error: no key "${alias ?? ""}" in the stack outputs (known: ${Object.keys(access.keys).join(", ") || "none"})`);
        return 1;
      }
      process.stdout.write(`${value}\n`);
      return 0;
    }
    default:
      return 2;
  }
}

runCommand(() => main(process.argv.slice(2)));
