export {
  startNatsServer,
  reserveNatsServer,
  freePort,
  natsAuthFor,
  busConfigFor,
  natsEnvFor,
  cliNatsEnv,
  taskPublisherUrl,
} from "./nats-server.js";
export { startNatsCluster } from "./nats-cluster.js";
export type { NatsCluster } from "./nats-cluster.js";
export type { NatsServer, NatsServerOptions } from "./nats-server.js";
export { waitFor } from "./wait-for.js";
export type { WaitForOptions } from "./wait-for.js";
export { serviceCommand, spawnService } from "./process.js";
export type { ServiceProcess } from "./process.js";
export {
  startScriptedModel,
  lastUserText,
  systemText,
  requestBlocks,
  toolResultsIn,
} from "@corral/scripted-model";
export type {
  ScriptedModel,
  ScriptedTurn,
  ScriptedReply,
  ScriptedBlock,
  ReceivedRequest,
} from "@corral/scripted-model";
export { startFakeVault } from "./fake-vault.js";
export type { FakeVault } from "./fake-vault.js";
export {
  supervised,
  superviseStack,
  runChaos,
  stepProgram,
  answeredWith,
  stepCounts,
  worstGapMs,
} from "./chaos.js";
export type { Supervised, ChaosOptions, ChaosReport, StackOptions } from "./chaos.js";
export { startSystem } from "./system.js";
export type { TestSystem } from "./system.js";
export { untilAnswers, untilHealthy } from "./until-up.js";
export { testLogger, stopThenClose } from "./in-process.js";
