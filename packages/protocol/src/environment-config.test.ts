import { expect, test } from "vitest";
import { EnvironmentConfig, EnvironmentConfigUpdate, updatedEnvironmentConfig } from "./environments.js";

const limited = { type: "limited", allowed_hosts: ["api.github.com"], allow_package_managers: true } as const;
const current = EnvironmentConfig.parse({
  type: "cloud",
  networking: limited,
  packages: { pip: ["requests"] },
});
const update = (config: unknown) => updatedEnvironmentConfig(current, EnvironmentConfigUpdate.parse(config));

test("an update's config keeps the networking and packages it omits or sends as null", () => {
  expect(update({ type: "cloud" })).toEqual(current);
  expect(update({ type: "cloud", networking: null, packages: null })).toEqual(current);
  const pkgs = update({ type: "cloud", packages: { npm: ["left-pad"] } });
  expect(pkgs.type === "cloud" && pkgs.networking).toEqual(current.type === "cloud" && current.networking);
  expect(pkgs.type === "cloud" && pkgs.packages?.npm).toEqual(["left-pad"]);
  expect(update({ type: "cloud", networking: { type: "unrestricted" } })).toMatchObject({
    networking: { type: "unrestricted" },
  });
});

test("a change of kind keeps an omitted networking rather than widening it", () => {
  expect(update({ type: "docker", image: "corral/sandbox:1" })).toMatchObject({
    type: "docker",
    image: "corral/sandbox:1",
    networking: { type: "limited", allowed_hosts: ["api.github.com"] },
  });
  expect(update({ type: "self_hosted" })).toEqual({ type: "self_hosted" });
  expect(
    updatedEnvironmentConfig({ type: "self_hosted" }, EnvironmentConfigUpdate.parse({ type: "cloud" })),
  ).toEqual({
    type: "cloud",
    networking: { type: "unrestricted" },
  });
});

test("no config keeps the current one", () => {
  expect(updatedEnvironmentConfig(current, undefined)).toBe(current);
  expect(updatedEnvironmentConfig(current, null)).toBe(current);
});
