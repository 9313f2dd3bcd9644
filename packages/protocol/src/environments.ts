import { z } from "zod";
import { RecordTimestamps } from "./record-timestamps.js";
import { workspaceField } from "./workspaces.js";
import { Metadata } from "./agents.js";
import { EnvironmentId } from "./ids.js";
import { MetadataPatch } from "./metadata-patch.js";
import { onlyDefault } from "./unsupported.js";

// A hostname (optionally `*.`-prefixed) or IPv4 address, with an optional port.
const Host = z
  .string()
  .regex(
    /^(\*\.)?[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$/,
    "must be a hostname, *.domain or IP, optionally with :port",
  );

/** The API types these fields `T | null`: null means the default, as omitting them does. */
const nullIsDefault = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema);

export const NetworkingConfig = z.discriminatedUnion("type", [
  z.object({ type: z.literal("unrestricted") }),
  z.object({
    type: z.literal("limited"),
    allowed_hosts: nullIsDefault(z.array(Host).max(64).default([])),
    allow_package_managers: nullIsDefault(z.boolean().default(false)),
    allow_mcp_servers: nullIsDefault(z.boolean().default(false)),
  }),
]);
export type NetworkingConfig = z.infer<typeof NetworkingConfig>;

const PackageList = nullIsDefault(z.array(z.string().min(1).max(256)).max(256).default([]));

/** Versions use each manager's own syntax, e.g. `pip: ["requests==2.32.0"]`; unversioned means latest. */
export const PackagesConfig = z.object({
  type: z.literal("packages").optional(),
  apt: PackageList,
  cargo: PackageList,
  gem: PackageList,
  go: PackageList,
  npm: PackageList,
  pip: PackageList,
});
export type PackagesConfig = z.infer<typeof PackagesConfig>;

export const DockerResources = z.object({
  memory_mb: z.number().int().min(128).max(262_144).optional(),
  cpus: z.number().positive().max(128).optional(),
  pids: z.number().int().min(16).max(1_000_000).optional(),
  disk_mb: z.number().int().min(256).max(4_194_304).optional(),
});
export type DockerResources = z.infer<typeof DockerResources>;

const DEFAULT_NETWORKING = { type: "unrestricted" } as const;

export const CloudConfig = z.object({
  type: z.literal("cloud"),
  networking: nullIsDefault(NetworkingConfig.default(DEFAULT_NETWORKING)),
  packages: nullIsDefault(PackagesConfig.optional()),
});
export type CloudConfig = z.infer<typeof CloudConfig>;

export const SelfHostedConfig = z.object({ type: z.literal("self_hosted") });
export type SelfHostedConfig = z.infer<typeof SelfHostedConfig>;

/**
 * Corral's own sandbox kind: a Docker container from `image`. Corral runs `cloud` environments the same
 * way with its default image, so API clients that only know `cloud` work unchanged.
 */
export const DockerConfig = z.object({
  type: z.literal("docker"),
  image: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, "must be a docker image reference")
    .optional(),
  networking: nullIsDefault(NetworkingConfig.default(DEFAULT_NETWORKING)),
  packages: nullIsDefault(PackagesConfig.optional()),
  resources: DockerResources.optional(),
});
export type DockerConfig = z.infer<typeof DockerConfig>;

export const EnvironmentConfig = z.discriminatedUnion("type", [CloudConfig, SelfHostedConfig, DockerConfig]);
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

/** What an update omits (or sends as null) of these keeps the environment's own, as the API documents. */
const keptWhenOmitted = { networking: NetworkingConfig.nullish(), packages: PackagesConfig.nullish() };

/** An update's config: the same kinds, with `networking` and `packages` kept when omitted. */
export const EnvironmentConfigUpdate = z.discriminatedUnion("type", [
  CloudConfig.extend(keptWhenOmitted),
  SelfHostedConfig,
  DockerConfig.extend(keptWhenOmitted),
]);
export type EnvironmentConfigUpdate = z.infer<typeof EnvironmentConfigUpdate>;

/**
 * The config after an update: the update's, with the current `networking` and `packages` where it omits
 * them (also across a change between cloud and docker: an omitted networking never widens to unrestricted).
 */
export function updatedEnvironmentConfig(
  current: EnvironmentConfig,
  update: EnvironmentConfigUpdate | null | undefined,
): EnvironmentConfig {
  if (!update) return current;
  if (update.type === "self_hosted") return update;
  const own = current.type === "self_hosted" ? undefined : current;
  const { networking, packages, ...rest } = update;
  const kept = packages ?? own?.packages;
  return {
    ...rest,
    networking: networking ?? own?.networking ?? DEFAULT_NETWORKING,
    ...(kept && { packages: kept }),
  };
}

const EnvironmentName = z.string().min(1).max(256);
const EnvironmentDescription = z.string().max(2048);

/** An environment is visible to its workspace, which is what `organization` asks for; `account` is refused. */
const EnvironmentScope = onlyDefault(
  z.literal("organization").nullable(),
  'the "account" scope (an environment is visible to its whole workspace)',
);

export const EnvironmentCreateParams = z.object({
  name: EnvironmentName,
  description: EnvironmentDescription.nullish(),
  config: nullIsDefault(EnvironmentConfig.default({ type: "cloud", networking: DEFAULT_NETWORKING })),
  metadata: Metadata.optional(),
  scope: EnvironmentScope.optional(),
});
export type EnvironmentCreateParams = z.infer<typeof EnvironmentCreateParams>;

/**
 * Omitted (or null) fields are kept, but a null description clears it; config is replaced but for the
 * networking and packages it omits (`updatedEnvironmentConfig`); metadata is a patch (a string upserts a key,
 * null or "" deletes it). Changes reach new sandboxes only.
 */
export const EnvironmentUpdateParams = z.object({
  name: EnvironmentName.nullish(),
  description: EnvironmentDescription.nullish(),
  config: EnvironmentConfigUpdate.nullish(),
  metadata: MetadataPatch.nullish(),
  scope: EnvironmentScope.optional(),
});
export type EnvironmentUpdateParams = z.infer<typeof EnvironmentUpdateParams>;

export const EnvironmentRecord = z.object({
  id: EnvironmentId,
  type: z.literal("environment"),
  name: EnvironmentName,
  description: EnvironmentDescription.nullable(),
  config: EnvironmentConfig,
  metadata: Metadata,
  ...RecordTimestamps,
  ...workspaceField,
});
export type EnvironmentRecord = z.infer<typeof EnvironmentRecord>;
