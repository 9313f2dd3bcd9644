import { describe, expect, test } from "vitest";
import {
  defaultRepositoryMountPath,
  GitHubRepositoryResourceParams,
  repositoriesToClone,
  repositoryAuthPrefix,
} from "./repository-resource.js";
import { generateSealingKey, openSealed } from "./sealed-box.js";
import { repositoryTokenSealContext, sealRepositoryToken } from "./repository-resource.js";

const ok = (over: Record<string, unknown>) =>
  GitHubRepositoryResourceParams.safeParse({
    type: "github_repository",
    url: "https://git.example/o/r.git",
    ...over,
  });
const problem = (over: Record<string, unknown>) => {
  const parsed = ok(over);
  return parsed.success
    ? null
    : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
};

describe("github_repository params", () => {
  test("accepts a URL with a branch, a commit or nothing, a token and a path under /workspace", () => {
    expect(ok({ checkout: { type: "branch", name: "feature/x-1" } }).success).toBe(true);
    expect(
      ok({ checkout: { type: "commit", sha: "a".repeat(40) }, mount_path: "/workspace/a/b" }).success,
    ).toBe(true);
    expect(ok({ authorization_token: "ghp_abc123", checkout: null, mount_path: null }).success).toBe(true);
  });

  test("refuses URLs that are not plain https repository URLs, naming the field", () => {
    expect(problem({ url: "http://git.example/o/r.git" })).toMatch(/^url: must be an https/);
    expect(problem({ url: "https://user:pw@git.example/o/r.git" })).toMatch(
      /^url: must not carry credentials/,
    );
    expect(problem({ url: "https://git.example/o/r.git?x=1" })).toMatch(/^url: must not have a query/);
    expect(problem({ url: "https://git.example/" })).toMatch(/^url: must name a repository/);
    expect(problem({ url: "https://git.example/o/r .git" })).toMatch(/^url: must not contain spaces/);
    expect(problem({ url: `https://git.example/${"a".repeat(2100)}` })).toMatch(/^url:/);
  });

  test("refuses mount paths that are relative, climb, hold NUL or lie outside /workspace", () => {
    expect(problem({ mount_path: "workspace/r" })).toMatch(/^mount_path: must be an absolute path/);
    expect(problem({ mount_path: "/workspace/../etc" })).toMatch(/^mount_path: must not contain \. or \.\./);
    expect(problem({ mount_path: "/workspace/r\0x" })).toMatch(/^mount_path: must not contain NUL/);
    expect(problem({ mount_path: "/etc/r" })).toMatch(/^mount_path: must be a path under \/workspace\//);
    expect(problem({ mount_path: "/workspace" })).toMatch(/^mount_path: must be a path under/);
  });

  test("refuses branch names git could read as options, short SHAs, unknown fields and odd tokens", () => {
    expect(problem({ checkout: { type: "branch", name: "--upload-pack=x" } })).toMatch(/^checkout.name/);
    expect(problem({ checkout: { type: "branch", name: "a..b" } })).toMatch(/^checkout.name/);
    expect(problem({ checkout: { type: "commit", sha: "abc123" } })).toMatch(/^checkout.sha/);
    expect(problem({ branch: "main" })).toMatch(/branch/);
    expect(problem({ authorization_token: "a b" })).toMatch(/^authorization_token/);
    expect(problem({ authorization_token: "x\r\nHost: evil" })).toMatch(/^authorization_token/);
  });
});

test("the default mount path is /workspace/<repo>, and the clone list fills it in", () => {
  expect(defaultRepositoryMountPath("https://git.example/o/my-repo.git")).toBe("/workspace/my-repo");
  expect(
    repositoriesToClone([
      { type: "file", file_id: "file_1" },
      { type: "github_repository", url: "https://h/o/r" },
    ]),
  ).toEqual([{ url: "https://h/o/r", checkout: null, mount_path: "/workspace/r" }]);
  expect(repositoryAuthPrefix("https://h:8443/o/r.git")).toBe("https://h:8443/o/r.git/");
});

test("a sealed token opens for its repository URL alone", () => {
  const { privateKeyPem, publicKey } = generateSealingKey();
  const box = sealRepositoryToken(publicKey, "https://h/o/r.git", "secret-token");
  expect(box).not.toContain("secret-token");
  expect(openSealed(privateKeyPem, repositoryTokenSealContext("https://h/o/r.git"), box)).toBe(
    "secret-token",
  );
  expect(() => openSealed(privateKeyPem, repositoryTokenSealContext("https://evil/o/r.git"), box)).toThrow();
});
