export { startScriptedModel } from "./scripted-model.js";
export { lastUserText, systemText, requestBlocks, toolResultsIn } from "./request-text.js";
export type { ScriptedModel, ScriptedTurn, ScriptedReply, ScriptedBlock, ReceivedRequest } from "./types.js";
