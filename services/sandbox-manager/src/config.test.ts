import { hostname } from "node:os";
import { expect, test } from "vitest";
import { managerConfigFromEnv } from "./config.js";

test("the host id defaults to the hostname, as the credential-proxy's does", () => {
  expect(managerConfigFromEnv({}).hostId).toBe(hostname());
  expect(managerConfigFromEnv({ CORRAL_HOST_ID: "" }).hostId).toBe(hostname());
  expect(managerConfigFromEnv({ CORRAL_HOST_ID: "node-7" }).hostId).toBe("node-7");
});

test("a host's limit and its lost-after time are positive integers, or the start fails", () => {
  expect(managerConfigFromEnv({}).maxSandboxes).toBe(100);
  expect(managerConfigFromEnv({ SANDBOX_MAX: "3" }).maxSandboxes).toBe(3);
  for (const bad of ["0", "-1", "1.5", "many"])
    expect(() => managerConfigFromEnv({ SANDBOX_MAX: bad })).toThrow(/SANDBOX_MAX/);
  expect(() => managerConfigFromEnv({ SANDBOX_HOST_LOST_MS: "0" })).toThrow(/SANDBOX_HOST_LOST_MS/);
});

test("a shared workspace root must be absolute and cannot be sized", () => {
  expect(managerConfigFromEnv({ SANDBOX_WORKSPACE_ROOT: "/mnt/ws" }).workspaceRoot).toBe("/mnt/ws");
  expect(() => managerConfigFromEnv({ SANDBOX_WORKSPACE_ROOT: "ws" })).toThrow(/absolute/);
  expect(() => managerConfigFromEnv({ SANDBOX_WORKSPACE_ROOT: "/mnt/ws", SANDBOX_DISK_MB: "512" })).toThrow(
    /SANDBOX_DISK_MB/,
  );
});

test("the warm pool grows to SANDBOX_WARM_MAX (40 by default), and SANDBOX_WARM_POOL=0 alone turns it off", () => {
  expect(managerConfigFromEnv({})).toMatchObject({ warmPool: 2, warmMax: 40, warmParallel: 4 });
  expect(managerConfigFromEnv({ SANDBOX_WARM_POOL: "0" }).warmMax).toBe(0);
  expect(managerConfigFromEnv({ SANDBOX_WARM_POOL: "0", SANDBOX_WARM_MAX: "8" }).warmMax).toBe(8);
  expect(() => managerConfigFromEnv({ SANDBOX_WARM_POOL: "4", SANDBOX_WARM_MAX: "2" })).toThrow(
    /SANDBOX_WARM_MAX/,
  );
  expect(() => managerConfigFromEnv({ SANDBOX_WARM_PARALLEL: "0" })).toThrow(/SANDBOX_WARM_PARALLEL/);
});
