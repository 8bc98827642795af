import { DataResource, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { shellWord } from "./shell-word";
import { terraformLiteral as literal } from "./terraform-literal";

export interface LocalFilesCleanupProps {
  /** Files of the stack beside its state that hold secrets or name its keys, deleted when the stack is destroyed. */
  readonly files: readonly string[];
}

/**
 * Deletes the stack's secret-bearing local files when the stack is destroyed, whatever runs the
 * destroy (`npm run destroy`, `cdktf destroy`, `terraform destroy`): the secret inputs, the keys
 * ledger, and the `.tfstate.backup` in which Terraform keeps the state from before the destroy
 * (every secret of the stack).
 *
 * Every other resource of the stack depends on this one (`dependOnIt`), so it is destroyed last:
 * Terraform writes the backup once per run, at its first state write, which is then long done.
 */
export class LocalFilesCleanup extends Construct {
  readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: LocalFilesCleanupProps) {
    super(scope, id);
    // No input: the paths are the checkout's, and a stack deployed from another checkout (a CI job's
    // fresh workspace) must plan no change. A destroy-time command is read from the configuration
    // of the run that destroys, so it names that checkout's files.
    this.resource = new DataResource(this, "files", {});
    // As an override: cdktf's provisioner type has no `when`.
    this.resource.addOverride("provisioner", [
      { "local-exec": { when: "destroy", command: literal(`rm -f -- ${props.files.map(shellWord).join(" ")}`) } },
    ]);
  }

  /** Makes every other resource under `scope` depend on this one. */
  dependOnIt(scope: Construct): void {
    // The plain address: `fqn` is a `${...}` reference, which depends_on does not take.
    const address = `${DataResource.tfResourceType}.${this.resource.friendlyUniqueId}`;
    for (const node of scope.node.findAll()) {
      if (!(node instanceof TerraformResource) || node === this.resource) continue;
      node.dependsOn = [...(node.dependsOn ?? []), address];
    }
  }
}
