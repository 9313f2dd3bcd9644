"""Fan work out to sub-agents from Python with nothing but the standard library.

    python3 fanout_task.py --task-id split-7 --agent agent_... --environment env_... "Summarise each file in /data"

The agent named by --agent is a coordinator (its `multiagent` roster lists the sub-agents). The task is
published to `corral.tasks.submit` exactly as in submit_task.py; the coordinator starts sub-agent
threads, which run in parallel on whichever harness replicas are free, and answers once they have all
replied. The script waits for that and prints one JSON line: the session, its threads and the answer.
"""
import json
import sys
import time

from corral_nats import Nats, NatsError
from submit_task import call, submit, task_arguments, wait_for_session


def last_status(events):
    statuses = [e for e in events if e["type"].startswith("session.status_")]
    return statuses[-1] if statuses else None


def all_events(nc, session_id):
    events, start = [], 0
    while True:
        page = call(nc, "events.list", {"session_id": session_id, "from": start, "limit": 1000})
        events.extend(page["data"])
        if page["next_from"] is None:
            return events
        start = page["next_from"]


def wait_until_idle(nc, session_id, timeout_s):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        events = all_events(nc, session_id)
        status = last_status(events)
        if status and status["type"] in ("session.status_idle", "session.status_terminated"):
            if status["type"] == "session.status_terminated" or status["stop_reason"]["type"] != "requires_action":
                return events
        time.sleep(0.2)
    raise NatsError("session %s did not finish in %ss" % (session_id, timeout_s))


def main():
    parser = task_arguments(__doc__, agent_help="a coordinator agent")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    nc = Nats(args.nats)
    try:
        submit(nc, {"task_id": args.task_id, "agent": args.agent, "environment_id": args.environment, "message": args.message})
        session_id = wait_for_session(nc, args.task_id, args.timeout)
        events = wait_until_idle(nc, session_id, args.timeout)
        threads = call(nc, "threads.list", {"session_id": session_id})["data"]
        messages = [e for e in events if e["type"] == "agent.message"]
        answer = "".join(b.get("text", "") for b in messages[-1]["content"]) if messages else None
        print(json.dumps({
            "session_id": session_id,
            "threads": [{"id": t["id"], "agent": t["agent"]["name"], "status": t["status"]} for t in threads],
            "replies": [e["content"][0].get("text") for e in events if e["type"] == "agent.thread_message_received"],
            "answer": answer,
        }))
    finally:
        nc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
