/**
 * The shape of `stack.config.yaml`, as zod schemas. Every object is strict, so a misspelt key is an
 * error that names it rather than a setting silently ignored. Cross-field rules (fallbacks that name
 * a model, maxTokens within the context window, image policy) live in validate.ts.
 */
import { z } from "zod";
import { ENV_REFERENCE_PREFIX, reservedEnvNameReason } from "./env-names";
import { PINNED_LITELLM_IMAGE } from "./pinned-images";

/** Names that can be used for environment variables, in the container and in the deployer's shell. */
export const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name (letters, digits and _, not starting with a digit)");

/** A name Docker accepts for containers, networks and volumes, short enough to take suffixes. */
/** A variable an upstream credential is read from: never one of the stack's own or the deployer's shell's. */
const credentialEnvName = envVarName.superRefine((name, ctx) => {
  const reason = reservedEnvNameReason(name);
  if (reason) ctx.addIssue({ code: "custom", message: `cannot hold an upstream credential: ${reason}; use a variable of its own, e.g. ANTHROPIC_API_KEY` });
});

/**
 * Text that reaches LiteLLM's parameters verbatim. LiteLLM replaces any such string that starts with
 * `os.environ/` by that variable's value, so free text could serve the master key to any caller.
 */
const freeText = z.string().refine((text) => !text.startsWith(ENV_REFERENCE_PREFIX), {
  message: `must not start with "${ENV_REFERENCE_PREFIX}": LiteLLM would replace it with that environment variable's value`,
});

const resourcePrefix = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be 1-40 lowercase letters, digits or '-', starting with a letter or digit")
  .refine((name) => !name.includes("-exp-"), {
    message: 'must not contain "-exp-": that is how experiments of another stack are named (litellm + EXPERIMENT=foo is litellm-exp-foo)',
  });

/**
 * An http(s) URL that can be written into generated files and shown to users: no credentials (they
 * would land in config.yaml, the snippet and labels) and no control characters.
 */
function httpUrl() {
  return z
    .string()
    .refine((url) => !/[\u0000-\u001f\u007f]/.test(url), "must not contain control characters")
    .pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }))
    .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), "must not contain credentials (user:password@): the URL is written into generated files");
}

const port = z.number().int("must be a whole number").min(1, "must be between 1 and 65535").max(65535, "must be between 1 and 65535");

/**
 * Kubernetes quantities as the API takes them: CPU in cores or millicores ("1", "0.5", "500m"),
 * memory in bytes with a binary or decimal suffix ("2Gi", "512Mi", "1G").
 */
export const cpuQuantity = z.string().regex(/^(\d+(\.\d+)?|\d+m)$/, 'must be a Kubernetes CPU quantity: cores or millicores, e.g. "1", "0.5" or "500m"');
export const memoryQuantity = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a Kubernetes memory quantity without spaces, e.g. "2Gi" or "512Mi" (Gi = 1024^3 bytes; "2 GB" is written 2G)');

/** The Service that publishes LiteLLM on the kubernetes profile. */
export const SERVICE_TYPES = ["NodePort", "ClusterIP", "LoadBalancer"] as const;

/** How the stack runs: see `profile` below. */
export const PROFILES = ["container", "swarm", "kubernetes"] as const;

export const INPUT_KINDS = ["text", "image", "video", "audio"] as const;

/** Prices in US dollars per million tokens, OpenClaw's unit. */
export const costSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheRead: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
});

/** Every field a model may carry. In the file all are optional, since a preset may supply them. */
const modelFields = {
  /** The id OpenClaw asks for and LiteLLM's `model_name`. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "must be letters, digits, '.', '_', ':' or '-' (no '/': OpenClaw splits refs at the first '/')"),
  /** Display name in OpenClaw. */
  name: freeText.min(1),
  /** LiteLLM's upstream model string, `provider/model`. */
  model: z.string().regex(/^[a-z0-9_-]+\/.+$/, "must be 'provider/model', e.g. anthropic/claude-opus-4-6"),
  /** The deployer's environment variable that holds the upstream API key. */
  apiKeyEnv: credentialEnvName,
  /** Other credentials: LiteLLM parameter name -> environment variable (Bedrock's aws_* for example). */
  credentialsEnv: z.record(
    z
      .string()
      .regex(/^[a-z_]+$/, "must be a LiteLLM parameter name")
      // A mock answer or the model name would be sent back to callers: not a place for a credential.
      .refine((param) => !/^(mock|model$)/.test(param), "is not a credential parameter (LiteLLM would return its value to callers)"),
    credentialEnvName,
  ),
  /** Upstream base URL, for self-hosted or regional endpoints. */
  apiBase: httpUrl(),
  /** A fixed answer: LiteLLM replies with it and calls no provider. */
  mockResponse: freeText,
  reasoning: z.boolean(),
  input: z.array(z.enum(INPUT_KINDS)).min(1).refine((kinds) => new Set(kinds).size === kinds.length, "lists a kind twice"),
  contextWindow: z.number().int().positive(),
  maxTokens: z.number().int().positive(),
  cost: costSchema,
  /**
   * Whose prices LiteLLM charges: its own table (pinned with the image) or the catalog's `cost`
   * (for models LiteLLM does not know). Measured: custom pricing costs a few percent of proxy throughput (0.96x).
   */
  pricing: z.enum(["litellm", "catalog"]),
  /**
   * Requests per minute this deployment takes. LiteLLM enforces it (router pre-call check
   * enforce_model_rate_limits), across processes only when they share Redis.
   */
  rpm: z.number().int().positive(),
};

/** A deployment's own fields: where a request for the model may go, and what it may take there. */
const deploymentOnlyFields = {
  /**
   * The deployment's name in logs, usage and LiteLLM's `model_info.id` (`<model id>.<id>`), so that
   * cooldowns, spend rows and logs name the same deployment across redeploys and reorderings.
   * @default - its position in the list, from 1
   */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, "must be 1-40 letters, digits, '_' or '-', starting with a letter or digit"),
  /** Share of the requests under simple-shuffle, against the other deployments' weights. @default 1 */
  weight: z.number().positive("must be a positive number"),
  /** Tokens per minute this deployment takes; the router sends the excess to another deployment. */
  tpm: z.number().int().positive(),
};

/** The fields of a model that say where its requests go (a model without `deployments` has one). */
export const UPSTREAM_FIELDS = ["model", "apiKeyEnv", "credentialsEnv", "apiBase", "mockResponse", "rpm"] as const;

/** Where a request goes: the upstream fields every form of a deployment shares. */
const upstreamShape = {
  model: modelFields.model,
  apiKeyEnv: modelFields.apiKeyEnv.optional(),
  credentialsEnv: modelFields.credentialsEnv.optional(),
  apiBase: modelFields.apiBase.optional(),
  mockResponse: modelFields.mockResponse.optional(),
};

/** One entry of a model's `deployments` list, as written. */
export const deploymentEntrySchema = z.strictObject({
  ...upstreamShape,
  cost: modelFields.cost.optional(),
  pricing: modelFields.pricing.optional(),
  rpm: modelFields.rpm.optional(),
  id: deploymentOnlyFields.id.optional(),
  weight: deploymentOnlyFields.weight.optional(),
  tpm: deploymentOnlyFields.tpm.optional(),
});

/** A model as it may appear in the file: a preset name plus overrides, or a full entry. */
export const modelEntrySchema = z.strictObject({
  preset: z.string().optional(),
  ...Object.fromEntries(Object.entries(modelFields).map(([key, schema]) => [key, schema.optional()])),
  /** Several upstreams for one model id, balanced by the router; replaces the model's own upstream fields. */
  deployments: z.array(deploymentEntrySchema).min(1, "must list at least one deployment").optional(),
} as { preset: z.ZodOptional<z.ZodString> } & { [K in keyof typeof modelFields]: z.ZodOptional<(typeof modelFields)[K]> } & {
  deployments: z.ZodOptional<z.ZodArray<typeof deploymentEntrySchema>>;
});

/** A model with its single upstream, once its preset is applied: the form of a model without `deployments`. */
export const singleUpstreamModelSchema = z.strictObject({
  id: modelFields.id,
  name: modelFields.name,
  ...upstreamShape,
  reasoning: modelFields.reasoning.default(false),
  input: modelFields.input.default(["text"]),
  contextWindow: modelFields.contextWindow,
  maxTokens: modelFields.maxTokens,
  cost: modelFields.cost.optional(),
  pricing: modelFields.pricing.default("litellm"),
  rpm: modelFields.rpm.optional(),
});

/** A deployment once resolved: what the generators write as one `model_list` entry. */
export const deploymentSchema = z.strictObject({
  /** `<model id>.<deployment id>` when the model has several deployments. */
  id: z.string().optional(),
  ...upstreamShape,
  /** What LiteLLM charges when `pricing` is "catalog". */
  cost: modelFields.cost.optional(),
  pricing: modelFields.pricing,
  rpm: modelFields.rpm.optional(),
  tpm: deploymentOnlyFields.tpm.optional(),
  weight: deploymentOnlyFields.weight.optional(),
});

/** A model once its preset is applied: what OpenClaw sees, and where its requests may go. */
export const resolvedModelSchema = z.strictObject({
  id: modelFields.id,
  name: modelFields.name,
  reasoning: modelFields.reasoning.default(false),
  input: modelFields.input.default(["text"]),
  contextWindow: modelFields.contextWindow,
  maxTokens: modelFields.maxTokens,
  /** OpenClaw's display of the price (and what a single deployment charges with pricing: catalog). */
  cost: modelFields.cost.optional(),
  deployments: z.array(deploymentSchema).min(1),
});

/** A preset file entry is a model without its id (the preset's name is the default id). */
export const presetSchema = singleUpstreamModelSchema.omit({ id: true }).partial({ name: true });

export const ROUTING_STRATEGIES = [
  "simple-shuffle",
  "least-busy",
  "usage-based-routing",
  "usage-based-routing-v2",
  "latency-based-routing",
  "cost-based-routing",
] as const;

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const;

/** A URL whose user-info would put a credential into cdktf.out/: refused, credentials come from the environment. */
const urlWithoutPassword = (what: string) =>
  z.url({ error: `must be a URL` }).refine((value) => !/^[a-z0-9+.-]+:\/\/[^/@]*:[^/@]*@/i.test(value), {
    message: `must not contain a password: ${what}`,
  });

const backendSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("local"),
    /** State file. */
    path: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal("s3"),
    bucket: z.string().min(1),
    key: z.string().min(1),
    region: z.string().min(1),
    /** DynamoDB table for state locking (deprecated by Terraform 1.11 in favour of `lockfile`). */
    dynamodbTable: z.string().optional(),
    /**
     * Lock the state with a lock file beside it in the bucket (S3's conditional writes, Terraform
     * 1.10+): no table to create. @default true, unless dynamodbTable is set
     */
    lockfile: z.boolean().optional(),
    /**
     * An S3-compatible server instead of AWS (MinIO, Ceph, moto): path-style requests, and none of
     * AWS's account or region checks. @default - AWS S3
     */
    endpoint: urlWithoutPassword("set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment").optional(),
  }),
  z.strictObject({
    type: z.literal("pg"),
    connStr: urlWithoutPassword("set PGPASSWORD (or PGUSER/PGPASSWORD) in the environment"),
    schemaName: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal("http"),
    address: urlWithoutPassword("set TF_HTTP_USERNAME / TF_HTTP_PASSWORD in the environment"),
    lockAddress: urlWithoutPassword("set TF_HTTP_USERNAME / TF_HTTP_PASSWORD in the environment").optional(),
    unlockAddress: urlWithoutPassword("set TF_HTTP_USERNAME / TF_HTTP_PASSWORD in the environment").optional(),
  }),
]);

/** unix:///path, tcp://host:port or ssh://user@host[:port], as DOCKER_HOST takes them. */
export const dockerHostSchema = z
  .string()
  .regex(
    /^(unix:\/\/\/\S+|tcp:\/\/[A-Za-z0-9.-]+(:\d{1,5})?|ssh:\/\/([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+(:\d{1,5})?)$/,
    "must be unix:///path/to/docker.sock, tcp://host:port or ssh://user@host[:port]",
  );

/** Docker Engine API versions, such as 1.41 (Engine 20.10) or 1.47 (Engine 27). */
export const engineApiVersionSchema = z.string().regex(/^1\.\d{1,3}$/, "must be a Docker Engine API version such as 1.41");

export const experimentNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,19}$/, "must be 1-20 lowercase letters, digits or '-', starting with a letter or digit");

/** LiteLLM's budget periods: hourly, daily, weekly, monthly, or <n>s|m|h|d|w|mo. */
export const budgetDurationSchema = z
  .string()
  .regex(/^(hourly|daily|weekly|monthly|[1-9]\d*(s|m|h|d|w|mo))$/, "must be hourly, daily, weekly, monthly or <number><s|m|h|d|w|mo>, e.g. 30d");

/** A virtual key the stack creates in LiteLLM, with its spending limit. */
export const virtualKeySchema = z.strictObject({
  // LiteLLM's own alias rule (1.108.5, _KEY_ALIAS_PATTERN): ends with a letter or digit too.
  alias: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/, "must be 1-64 letters, digits, '.', '_' or '-', starting and ending with a letter or digit"),
  /** US dollars per budget period. */
  maxBudget: z.number().nonnegative("must not be negative"),
  budgetDuration: budgetDurationSchema.optional(),
  /** Model ids of the catalog this key may use; unset: all. */
  models: z.array(z.string()).min(1).optional(),
  rpmLimit: z.number().int().positive().optional(),
  tpmLimit: z.number().int().positive().optional(),
  maxParallelRequests: z.number().int().positive().optional(),
  /** The key stops working this long after it is created. */
  expiresAfter: budgetDurationSchema.optional(),
});

export const stackConfigSchema = z.strictObject({
  /** Prefix of every resource name and label value, so stacks on one host never clash. */
  name: resourcePrefix.default("litellm"),
  litellm: z
    .strictObject({
      image: z.string().default(PINNED_LITELLM_IMAGE),
      port: port.default(4000),
      bindAddress: z.string().default("127.0.0.1"),
      workers: z.number().int().min(1).max(64).default(1),
      logLevel: z.enum(LOG_LEVELS).default("ERROR"),
      memoryLimitMb: z.number().int().min(256, "must be at least 256 (LiteLLM needs several hundred MiB to boot)").default(2048),
      /**
       * How long a deploy waits for LiteLLM to be healthy (per replica on swarm). A first boot runs
       * its database migrations: minutes on a small or busy machine.
       */
      startTimeoutSeconds: z.number().int("must be a whole number of seconds").min(30, "must be at least 30").max(3600, "must be at most 3600 (an hour)").default(300),
    })
    .prefault({}),
  database: z
    .strictObject({
      /** false: no Postgres, so no spend tracking, virtual keys or budgets. */
      enabled: z.boolean().default(true),
      image: z.string().default("postgres:16.10"),
      name: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase Postgres identifier").default("litellm"),
      user: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase Postgres identifier").default("litellm"),
      /** true: destroy refuses to delete the data volume unless LITELLM_DELETE_DATA=yes. */
      keepDataOnDestroy: z.boolean().default(false),
      /**
       * How many of the backups `npm run deploy` takes before it changes LiteLLM's or Postgres'
       * image are kept (backups/<stack>/*-pre-deploy.dump); older ones are deleted.
       */
      keepBackups: z.number({ error: "must be a whole number from 1 up: write 5, not \"5\"" }).int("must be a whole number from 1 up").min(1, "must be at least 1: a deploy that changes an image always takes a backup first").default(5),
    })
    .prefault({}),
  /** A disposable experiment: its own names, labels, port and state beside other stacks on the host. */
  experiment: experimentNameSchema.optional(),
  /** Where the Docker Engine is. */
  docker: z
    .strictObject({
      /** Engine address; unset: DOCKER_HOST, else the local socket. */
      host: dockerHostSchema.optional(),
      /** Extra ssh options for ssh:// hosts. */
      sshOpts: z.array(z.string()).default([]),
      /** Folder with ca.pem, cert.pem and key.pem for tcp:// with TLS. */
      certPath: z.string().optional(),
      /**
       * The engine's API version (`docker version --format '{{.Server.APIVersion}}'`), which decides
       * the healthcheck settings the provider can send. `npm run deploy` detects it.
       */
      engineApiVersion: engineApiVersionSchema.optional(),
    })
    .prefault({}),
  /** Where Terraform keeps state: local by default, or shared by a team's CI jobs. */
  backend: backendSchema.default({ type: "local" }),
  models: z.array(modelEntrySchema).min(1, "must list at least one model"),
  /** Virtual keys created at deploy, each with a budget; they need the database. */
  keys: z.array(virtualKeySchema).default([]),
  /**
   * Redis, for LiteLLM's state shared between processes: rate-limit counters, cooldowns, key cache.
   * Without it each process counts on its own, so limits multiply by the number of processes.
   */
  redis: z
    .strictObject({
      /** Runs Redis; required (and the default) as soon as litellm.workers is above 1. */
      enabled: z.boolean().optional(),
      image: z.string().default("redis:8.2.2"),
    })
    .prefault({}),
  /**
   * How the stack runs: `container` (one container per service on one Docker Engine, the default) or
   * `swarm` (Docker Swarm services: LiteLLM replicas behind a load balancer, rolling updates).
   */
  profile: z.enum(PROFILES).default("container"),
  /** Settings of the swarm profile; only with `profile: swarm`. */
  swarm: z
    .strictObject({
      /** LiteLLM tasks behind the load balancer. */
      replicas: z.number().int().min(1).max(32).default(3),
      /**
       * The node (hostname, as `docker node ls` shows it) that keeps Postgres and its volume: the
       * database never moves. Required with the database; it must be the node the deploy talks to.
       */
      databaseNode: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/, "must be a node hostname (letters, digits, '.', '_', '-')")
        .optional(),
      /** The load balancer in front of the replicas (HAProxy). */
      loadBalancerImage: z.string().default("haproxy:3.2.6"),
    })
    .optional(),
  /** Settings of the kubernetes profile; only with `profile: kubernetes`. */
  kubernetes: z
    .strictObject({
      /** The kubeconfig context to deploy to. @default - the kubeconfig's current context */
      context: z.string().min(1).optional(),
      /** The kubeconfig file. @default - $KUBECONFIG, else ~/.kube/config */
      configPath: z.string().min(1).optional(),
      /** The namespace the stack creates and owns (a namespace of another stack or of no stack is refused). @default - the stack's name */
      namespace: z
        .string()
        .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be a Kubernetes namespace name: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit")
        .optional(),
      /** LiteLLM pods behind the Service. */
      replicas: z.number().int("must be a whole number").min(1, "must be at least 1").max(32, "must be at most 32").default(2),
      service: z
        .strictObject({
          /** NodePort (reachable on every node), ClusterIP (in the cluster only; the commands reach it through the Kubernetes API) or LoadBalancer. */
          type: z.enum(SERVICE_TYPES).default("NodePort"),
          /** The node port (NodePort and LoadBalancer). @default - 30000 + litellm.port mod 2768, so experiments differ */
          nodePort: z.number().int("must be a whole number").min(1, "must be a port number").max(65535, "must be a port number").optional(),
        })
        .prefault({}),
      /** The StorageClass of Postgres' volume. @default - the cluster's default class */
      storageClass: z.string().min(1).optional(),
      /** Postgres' volume size. */
      storageSize: memoryQuantity.default("10Gi"),
      /** Each LiteLLM pod's CPU request and memory request and limit. */
      resources: z
        .strictObject({
          cpu: cpuQuantity.default("500m"),
          memory: memoryQuantity.default("2Gi"),
        })
        .prefault({}),
    })
    .optional(),
  /** Request logs in the spend database (`npm run logs`). */
  logging: z
    .strictObject({
      /**
       * Keep full request and response bodies in the spend logs
       * (general_settings.store_prompts_in_spend_logs): debugging value against privacy and growth.
       */
      storeRequestBodies: z.boolean().default(false),
      /** Delete spend logs older than this (general_settings.maximum_spend_logs_retention_period); unset: keep them. */
      retention: z
        .string()
        .regex(/^[1-9]\d*[hdw]$/, "must be a number of hours, days or weeks, e.g. 30d")
        .optional(),
    })
    .prefault({}),
  /** LiteLLM's admin dashboard, served at <baseUrl>/ui by the proxy itself. */
  dashboard: z
    .strictObject({
      /** false: DISABLE_ADMIN_UI, e.g. on a shared proxy whose admins use the API only. */
      enabled: z.boolean().default(true),
      /** The login name; the password is LITELLM_UI_PASSWORD from the environment, else the master key. */
      username: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, "must be 1-64 letters, digits, '.', '_', '@' or '-'").default("admin"),
    })
    .prefault({}),
  router: z
    .strictObject({
      routingStrategy: z.enum(ROUTING_STRATEGIES).default("simple-shuffle"),
      /** Attempts after a failed one. @default 2; 3 when a model has several deployments, so that failover holds */
      numRetries: z.number().int().min(0).max(10).optional(),
      timeoutSeconds: z.number().positive().default(600),
      /** Model id -> ids tried in order when it fails. */
      fallbacks: z.record(z.string(), z.array(z.string()).min(1)).default({}),
      /** Model id -> ids with larger context windows, tried when a prompt is too long for it. */
      contextWindowFallbacks: z.record(z.string(), z.array(z.string()).min(1)).default({}),
      /** Model id -> ids tried when its provider refuses a prompt on content policy. */
      contentPolicyFallbacks: z.record(z.string(), z.array(z.string()).min(1)).default({}),
      /**
       * Failed client requests a deployment may cause before it is cooled down (LiteLLM's allowed_fails;
       * counted over the cooldown time).
       * @default - LiteLLM's rule (cooled down on a 429, 401 or 404, or when over half of at least 5
       *   requests in a minute fail; a model of one deployment is never cooled down), but 0 for the
       *   deployments of a model with several
       */
      allowedFails: z.number().int().min(0).max(100).optional(),
      /** How long a cooled-down deployment gets no request (LiteLLM's cooldown_time). @default - LiteLLM's 5 s */
      cooldownSeconds: z.number().positive().max(3600).optional(),
    })
    .prefault({}),
  openclaw: z
    .strictObject({
      /** The model id OpenClaw uses by default. */
      primary: z.string().optional(),
      /** Model ids OpenClaw itself falls back to. */
      fallbacks: z.array(z.string()).default([]),
      /** The URL OpenClaw is told to use. */
      baseUrl: httpUrl().optional(),
    })
    .prefault({}),
});

/** The file as written (before defaults). */
export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ModelEntry = z.output<typeof modelEntrySchema>;
export type ModelPreset = z.output<typeof presetSchema>;
export type Model = z.output<typeof resolvedModelSchema>;
export type ModelDeployment = z.output<typeof deploymentSchema>;
export type Cost = z.output<typeof costSchema>;
export type BackendConfig = z.output<typeof backendSchema>;
export type VirtualKey = z.output<typeof virtualKeySchema>;
