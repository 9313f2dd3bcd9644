import { expect, test } from "vitest";
import { repositoryAuthorization, repositoryHostIntercepted, type RepositoryAuth } from "./repo-auth.js";
import { connectNetworking, refuseOutsideRepositories } from "./repo-auth-reach.js";
import type { SandboxContext } from "./egress-context.js";
import { Refusal } from "./refusal.js";

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

test("on a host the environment refuses, only requests under a repository's URL pass", () => {
  const sandbox = {
    networking: { type: "limited" as const, allowed_hosts: ["allowed.example"] },
    repositories: [repo],
  } as unknown as SandboxContext;
  const target = { ...https, address: "192.0.2.1" };
  expect(connectNetworking(sandbox, "git.example", 443)).toEqual({ type: "unrestricted" });
  expect(connectNetworking(sandbox, "other.example", 443)).toEqual(sandbox.networking);
  expect(() => refuseOutsideRepositories(sandbox, target, "/owner/repo.git/info/refs")).not.toThrow();
  expect(() => refuseOutsideRepositories(sandbox, target, "/owner/other.git/info/refs")).toThrow(
    /only the session's repositories are reachable there/,
  );
  expect(() => refuseOutsideRepositories(sandbox, target, "/owner/repo.git/../x")).toThrow(Refusal);
  const allowed = { ...target, host: "allowed.example" };
  expect(() => refuseOutsideRepositories(sandbox, allowed, "/anything")).not.toThrow();
});
