import { GitHubRepositoryResource, GitHubRepositoryResourceParams } from "./repository-resource.js";
import { SealedBox } from "./sealed-box.js";
import { SessionResourceId } from "./session-resources-ids.js";

/**
 * The `github_repository` variant of the resource union (its schemas are repository-resource.ts's). On the
 * bus the gateway has replaced `authorization_token` with `authorization_token_sealed` (sealed to the
 * credential-proxy); the session-store refuses a token in clear and keeps only the box, beside the record.
 */
export const RepositoryResourceParams = GitHubRepositoryResourceParams.extend({
  authorization_token_sealed: SealedBox.optional(),
});
export const RepositoryResourceRecord = GitHubRepositoryResource.extend({ id: SessionResourceId });
