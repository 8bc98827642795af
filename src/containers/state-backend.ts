import { HttpBackend, LocalBackend, PgBackend, S3Backend, type TerraformStack } from "cdktf";
import type { BackendConfig } from "../catalog/schema";

/**
 * Where Terraform keeps this stack's state. Credentials never go here (they would land in
 * cdktf.out/): S3 reads AWS_*, pg reads PGUSER/PGPASSWORD, http reads TF_HTTP_USERNAME/PASSWORD.
 */
export function addStateBackend(stack: TerraformStack, stackName: string, backend: BackendConfig): void {
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: backend.path ?? `terraform.${stackName}.tfstate` });
      return;
    case "s3":
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        dynamodbTable: backend.dynamodbTable,
        encrypt: true,
      });
      return;
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
