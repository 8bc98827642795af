/**
 * The LiteLLM release the stack ships with: the default image, and the pin suggested when a
 * configuration's image is refused. Moving the pin is this line, the shipped configurations
 * (checked against it by test/unit/e2e-image-versions.test.ts) and test/e2e/images/versions.env.
 */
// Newer releases exist (1.110.2), but their proxy extra needs packages the package registry this
// project's machines reach does not serve (litellm-proxy, litellm-proxy-extras >= 0.4.110.post1,
// litellm-enterprise >= 0.1.79.post2): they can be neither built nor tested here, so not pinned.
export const PINNED_LITELLM_VERSION = "1.108.5";

/** The litellm-database variant: the Prisma client is generated in the image, for Postgres. */
export const PINNED_LITELLM_IMAGE = `ghcr.io/berriai/litellm-database:v${PINNED_LITELLM_VERSION}`;
