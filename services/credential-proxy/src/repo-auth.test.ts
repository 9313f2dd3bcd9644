import { expect, test } from "vitest";
import { repositoryAuthorization, repositoryHostIntercepted, type RepositoryAuth } from "./repo-auth.js";

const repo: RepositoryAuth = {
  host: "git.example",
  port: 443,
  pathPrefix: "/owner/repo.git/",
  authorization: "Basic dG9rZW4=",
};
const https = { protocol: "https:" as const, host: "git.example", port: 443 };
const auth = (path: string, target: Partial<typeof https> | { protocol: "http:" } = {}) =>
  repositoryAuthorization([repo], { ...https, ...target }, path);

test("the token goes on requests under the repository's URL", () => {
  expect(auth("/owner/repo.git/info/refs?service=git-upload-pack")).toBe(repo.authorization);
  expect(auth("/owner/repo.git/git-upload-pack")).toBe(repo.authorization);
  expect(auth("/owner/repo.git/info/refs", { host: "GIT.EXAMPLE" })).toBe(repo.authorization);
});

test("never elsewhere: another path, a look-alike prefix, another port, host or plain HTTP", () => {
  expect(auth("/owner/other.git/info/refs")).toBeNull();
  expect(auth("/owner/repo.gitx/info/refs")).toBeNull();
  expect(auth("/owner/repo.git")).toBeNull();
  expect(auth("/owner/repo.git/info/refs", { port: 8443 })).toBeNull();
  expect(auth("/owner/repo.git/info/refs", { host: "evil.example" })).toBeNull();
  expect(auth("/owner/repo.git/info/refs", { protocol: "http:" })).toBeNull();
});

test("never on a path that could mean another place once normalised", () => {
  expect(auth("/owner/repo.git/../other.git/info/refs")).toBeNull();
  expect(auth("/owner/repo.git/%2e%2e/other.git/info/refs")).toBeNull();
  expect(auth("/owner/repo.git/..%2Fother.git")).toBeNull();
  expect(auth("/owner/repo.git/.\\..\\x")).toBeNull();
  expect(auth("/owner/repo.git/./info/refs")).toBeNull();
});

test("a tunnel is opened only to a host and port some repository lives at", () => {
  expect(repositoryHostIntercepted([repo], { host: "git.example", port: 443 })).toBe(true);
  expect(repositoryHostIntercepted([repo], { host: "git.example", port: 444 })).toBe(false);
  expect(repositoryHostIntercepted([], { host: "git.example", port: 443 })).toBe(false);
});
