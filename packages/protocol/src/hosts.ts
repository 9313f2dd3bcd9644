import { z } from "zod";
import { defineRpc, type RpcDef } from "./rpc-def.js";
import { EgressConfig, EgressConfigRequest } from "./egress.js";
import { ProvisionRequest, SandboxRecord } from "./sandbox.js";

/**
 * A Docker host's identity (`CORRAL_HOST_ID`, default the machine's hostname), shared by the
 * sandbox-manager and the credential-proxy that run on it.
 */
export const HostId = z.string().min(1).max(253);
export type HostId = z.infer<typeof HostId>;

/** A host id as one subject token: anything but letters, digits, `_` and `-` (a dotted hostname) becomes `_`. */
export const hostToken = (hostId: string): string => hostId.replace(/[^A-Za-z0-9_-]/g, "_");

/**
 * The RPCs served once per Docker host: the egress config, answered only by the credential-proxy of that
 * host (a sandbox's proxy is on its own host), and a provision placed on that host by another manager.
 */
export const HOST_RPC = {
  egressConfig: defineRpc("corral.api.egress.config.*", EgressConfigRequest, EgressConfig),
  provision: defineRpc("corral.api.sandbox.provision.*", ProvisionRequest, SandboxRecord),
} as const;

/** The concrete subject of a per-host RPC for one host. */
export const hostSubject = (def: RpcDef, hostId: string): string =>
  def.subject.replace(/\*$/, hostToken(hostId));
