export * from "./agents.js";
export * from "./content.js";
export * from "./egress.js";
export * from "./placeholders.js";
export * from "./environments.js";
export * from "./errors.js";
export * from "./event-base.js";
export * from "./events-agent.js";
export * from "./events-session.js";
export * from "./events-span.js";
export * from "./events-user.js";
export * from "./events.js";
export * from "./ids.js";
export * from "./log.js";
export * from "./log-append.js";
export * from "./mcp.js";
export * from "./primitives.js";
export * from "./rpc-def.js";
export * from "./rpc.js";
export * from "./sandbox.js";
export * from "./schema-registry.js";
export * from "./sessions.js";
export * from "./session-resources.js";
export * from "./session-resources-ids.js";
export * from "./session-resources-paths.js";
export * from "./session-resources-rpc.js";
export * from "./session-resources-outputs.js";
export * from "./subjects.js";
export * from "./tasks.js";
export * from "./threads.js";
export * from "./usage.js";
export * from "./vaults.js";
export * from "./files.js";
export * from "./deltas.js";
export * from "./timeouts.js";
export * from "./sandbox-bridge.js";
export * from "./workspaces.js";
export * from "./limits.js";
export * from "./hosts.js";
export { applyMetadataPatch, METADATA_MAX_KEYS } from "./metadata-patch.js";
export * from "./list-filters.js";
export * from "./unsupported.js";
export * from "./memory-paths.js";
export * from "./memory-stores.js";
export * from "./memory-records.js";
export * from "./memory-rpc.js";
export {
  BranchName,
  defaultRepositoryMountPath,
  GitHubRepositoryResource,
  GitHubRepositoryResourceParams,
  GitHubRepositoryResourceSealedParams,
  REPOSITORY_MOUNT_ROOT,
  repositoryAuthPrefix,
  RepositoryCheckout,
  RepositoryClone,
  repositoriesToClone,
  RepositoryMountPath,
  repositoryName,
  RepositoryToken,
  repositoryTokenSealContext,
  RepositoryUrl,
  sealRepositoryToken,
} from "./repository-resource.js";
