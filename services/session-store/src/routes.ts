import {
  STORE_QUEUE,
  STORE_RPC as R,
  THREAD_RPC as T,
  type RpcDef,
  type RpcParsedRequest,
  type RpcResponse,
} from "@corral/protocol";
import { serve } from "@corral/bus";
import type { StoreState } from "./state.js";
import { createAgent } from "./agents/create-agent.js";
import { getAgent } from "./agents/get-agent.js";
import { updateAgent } from "./agents/update-agent.js";
import { listAgents, listAgentVersions } from "./agents/list-agents.js";
import { archiveAgent } from "./agents/archive-agent.js";
import { createEnvironment } from "./environments/create-environment.js";
import { getEnvironment } from "./environments/get-environment.js";
import { updateEnvironment } from "./environments/update-environment.js";
import { listEnvironments } from "./environments/list-environments.js";
import { archiveEnvironment } from "./environments/archive-environment.js";
import { deleteEnvironment } from "./environments/delete-environment.js";
import { createSession } from "./sessions/create-session.js";
import { getSession } from "./sessions/get-session.js";
import { listSessions } from "./sessions/list-sessions.js";
import { updateSession } from "./sessions/update-session.js";
import { archiveSession } from "./sessions/archive-session.js";
import { deleteSession } from "./sessions/delete-session.js";
import { sendEvents } from "./events/send-events.js";
import { appendEvents } from "./events/append-events.js";
import { listEvents } from "./events/list-events.js";
import { createThread } from "./threads/create-thread.js";
import { getThread } from "./threads/get-thread.js";
import { listThreads } from "./threads/list-threads.js";
import { archiveThread } from "./threads/archive-thread.js";
import { getTask } from "./tasks/task-record.js";
import { LOG_APPEND_ROUTE } from "./log-append/append-log.js";
import { inCallerWorkspace } from "./caller-workspace.js";
import { SESSION_RESOURCE_ROUTES } from "./sessions/resource-routes.js";
import { MEMORY_ROUTES } from "./memory/memory-routes.js";

type Handler<D extends RpcDef> = (state: StoreState, request: RpcParsedRequest<D>) => Promise<RpcResponse<D>>;

/** One served subject: started with the store's state, stopped by unsubscribing. */
export interface Route {
  subject: string;
  serve(state: StoreState): { unsubscribe(): void };
}

function route<D extends RpcDef>(def: D, handler: Handler<D>): Route {
  return {
    subject: def.subject,
    serve: (state) =>
      serve(state.bus, def, (request, msg) => inCallerWorkspace(state, msg, () => handler(state, request)), {
        queue: STORE_QUEUE,
      }),
  };
}

/** Every RPC the session-store serves, and the verb that answers it. */
export const STORE_ROUTES: readonly Route[] = [
  route(R.agentsCreate, createAgent),
  route(R.agentsGet, (s, p) => getAgent(s, p.agent_id, p.version)),
  route(R.agentsUpdate, updateAgent),
  route(R.agentsList, listAgents),
  route(R.agentsArchive, (s, p) => archiveAgent(s, p.agent_id)),
  route(R.agentsVersions, listAgentVersions),
  route(R.environmentsCreate, createEnvironment),
  route(R.environmentsGet, (s, p) => getEnvironment(s, p.environment_id)),
  route(R.environmentsUpdate, updateEnvironment),
  route(R.environmentsList, listEnvironments),
  route(R.environmentsArchive, (s, p) => archiveEnvironment(s, p.environment_id)),
  route(R.environmentsDelete, (s, p) => deleteEnvironment(s, p.environment_id)),
  route(R.sessionsCreate, createSession),
  route(R.sessionsGet, (s, p) => getSession(s, p.session_id)),
  route(R.sessionsList, listSessions),
  route(R.sessionsUpdate, updateSession),
  route(R.sessionsArchive, (s, p) => archiveSession(s, p.session_id)),
  route(R.sessionsDelete, (s, p) => deleteSession(s, p.session_id)),
  route(R.eventsSend, sendEvents),
  route(R.eventsAppend, appendEvents),
  route(R.eventsList, listEvents),
  LOG_APPEND_ROUTE,
  route(R.tasksGet, (s, p) => getTask(s, p.task_id)),
  ...SESSION_RESOURCE_ROUTES.map(([def, handler]) => route(def, handler)),
  route(T.create, createThread),
  route(T.get, (s, p) => getThread(s, p.session_id, p.thread_id)),
  route(T.list, async (s, p) => ({ data: await listThreads(s, p) })),
  route(T.archive, (s, p) => archiveThread(s, p.session_id, p.thread_id)),
  ...MEMORY_ROUTES.map(([def, handler]) => route(def, handler)),
];
