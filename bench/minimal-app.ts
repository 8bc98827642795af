/**
 * The synth baseline: the smallest CDKTF app with one Docker container, measured the same way as
 * the full stack (compiled JavaScript on node).
 */
import { Container } from "@cdktf/provider-docker/lib/container";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { App, TerraformStack } from "cdktf";

const app = new App();
const stack = new TerraformStack(app, "minimal");
new DockerProvider(stack, "docker", {});
new Container(stack, "container", { name: "minimal", image: "busybox:1.37" });
app.synth();
