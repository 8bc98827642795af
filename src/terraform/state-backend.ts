import { join, resolve } from "node:path";
import { HttpBackend, LocalBackend, PgBackend, S3Backend, type TerraformStack } from "cdktf";
import type { BackendConfig } from "../catalog/schema";
import type { StackConfig } from "../catalog/validate";

/**
 * The folder of local state files, beside package.json. Never under cdktf.out/: cdktf deletes every
 * stack folder there that the current synth did not produce, and Terraform's state is the only
 * record of the stack's generated secrets.
 */
export const LOCAL_STATE_DIR = "terraform-state";

/** `<dir>/<base>.tfstate` -> `<dir>/<base>.exp-<experiment>.tfstate`: an experiment's own state beside the stack's. */
function experimentVariant(path: string, experiment: string | undefined): string {
  if (!experiment) return path;
  const match = /^(.*?)(\.tfstate)?$/.exec(path) as RegExpExecArray;
  return `${match[1]}.exp-${experiment}${match[2] ?? ""}`;
}

/**
 * Where this stack (or experiment) keeps its state: one state per stack and per experiment, so
 * deploying or destroying one never plans against another's resources.
 * @param projectDir the folder relative local paths are resolved from (the checkout)
 */
export function stateBackendFor(config: Pick<StackConfig, "name" | "experiment" | "backend">, projectDir: string): BackendConfig {
  const { backend, experiment } = config;
  switch (backend.type) {
    case "local":
      return {
        type: "local",
        path: backend.path
          ? resolve(projectDir, experimentVariant(backend.path, experiment))
          : join(projectDir, LOCAL_STATE_DIR, `${config.name}.tfstate`),
      };
    case "s3":
      return { ...backend, key: experimentVariant(backend.key, experiment) };
    case "pg":
      return experiment
        ? { ...backend, schemaName: `${backend.schemaName ?? "terraform_remote_state"}_exp_${experiment.replace(/-/g, "_")}` }
        : backend;
    case "http":
      // One address is one state; validation refuses experiments here (they would share it).
      return backend;
  }
}

/** The local state file of a stack, or undefined when its state is kept remotely. */
export function localStatePath(config: Pick<StackConfig, "name" | "experiment" | "backend">, projectDir: string): string | undefined {
  const backend = stateBackendFor(config, projectDir);
  return backend.type === "local" ? backend.path : undefined;
}

/**
 * Where Terraform keeps this stack's state. Credentials never go here (they would land in
 * cdktf.out/): S3 reads AWS_*, pg reads PGUSER/PGPASSWORD, http reads TF_HTTP_USERNAME/PASSWORD.
 */
export function addStateBackend(stack: TerraformStack, backend: BackendConfig): void {
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: backend.path });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        dynamodbTable: backend.dynamodbTable,
        encrypt: true,
        ...(backend.endpoint
          ? {
              endpoints: { s3: backend.endpoint },
              usePathStyle: true,
              skipCredentialsValidation: true,
              skipRequestingAccountId: true,
              skipMetadataApiCheck: true,
              skipRegionValidation: true,
            }
          : {}),
      });
      // cdktf 0.21 has no field for it yet: Terraform 1.10+'s own S3 lock.
      if (backend.lockfile ?? !backend.dynamodbTable) s3.addOverride("use_lockfile", true);
      return;
    }
    case "pg":
      new PgBackend(stack, { connStr: backend.connStr, schemaName: backend.schemaName });
      return;
    case "http":
      new HttpBackend(stack, {
        address: backend.address,
        lockAddress: backend.lockAddress,
        unlockAddress: backend.unlockAddress,
      });
      return;
  }
}
