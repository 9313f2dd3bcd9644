export { createCredentialProxy } from "./credential-proxy.js";
export type { CredentialProxy } from "./credential-proxy.js";
export { proxyConfigFromEnv } from "./config.js";
export type { ProxyConfig } from "./config.js";
export { createCertificateAuthority, createIssuer } from "./ca.js";
