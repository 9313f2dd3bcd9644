"""Start a Corral session from Python with nothing but the standard library.

    python3 submit_task.py --task-id build-42 --agent agent_... --environment env_... "Write hello.py"

The task is published to the JetStream subject `corral.tasks.submit`; it is stored even while no Corral
service runs, and exactly one session is created per task id however often it is published. With
--wait the script asks the session-store which session the task became, and prints its events.
"""
import argparse
import json
import sys
import time

from corral_nats import Nats, NatsError


def submit(nc, task):
    body = json.dumps(task).encode()
    ack = json.loads(nc.request("corral.tasks.submit", body, headers={"Nats-Msg-Id": "task:" + task["task_id"]}))
    if "error" in ack:
        raise NatsError(ack["error"].get("description", "publish failed"))
    return ack


def call(nc, verb, payload):
    reply = json.loads(nc.request("corral.api.store." + verb, json.dumps(payload).encode()))
    if not reply["ok"]:
        raise NatsError("%s: %s" % (reply["error"]["code"], reply["error"]["message"]))
    return reply["value"]


def wait_for_session(nc, task_id, timeout_s):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            task = call(nc, "tasks.get", {"task_id": task_id})
            if task["state"] == "created":
                return task["session_id"]
            if task["state"] == "rejected":
                raise NatsError("task rejected: %s" % task["error"]["message"])
        except NatsError as error:
            if "NOT_FOUND" not in str(error) and "no responders" not in str(error):
                raise
        time.sleep(0.2)
    raise NatsError("no session for task %s after %ss" % (task_id, timeout_s))


def task_arguments(description, agent_help=None):
    """The arguments every task-submitting example takes: the message, the task id, agent, environment, NATS URL."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("message")
    parser.add_argument("--task-id", required=True)
    parser.add_argument("--agent", required=True, help=agent_help)
    parser.add_argument("--environment", required=True)
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    return parser


def main():
    parser = task_arguments(__doc__)
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for the session (0: do not wait)")
    args = parser.parse_args()
    nc = Nats(args.nats)
    try:
        ack = submit(nc, {"task_id": args.task_id, "agent": args.agent, "environment_id": args.environment, "message": args.message})
        print(json.dumps({"published": True, "stream_seq": ack["seq"], "duplicate": ack.get("duplicate", False)}))
        if args.wait > 0:
            session_id = wait_for_session(nc, args.task_id, args.wait)
            events = call(nc, "events.list", {"session_id": session_id})
            print(json.dumps({"session_id": session_id, "events": [e["type"] for e in events["data"]]}))
    finally:
        nc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
