"""Start a Corral session from Python with nothing but the standard library.

    python3 submit_task.py --task-id build-42 --agent agent_... --environment env_... "Write hello.py"

The task is published to the JetStream subject `corral.tasks.submit`; it is stored even while no Corral
service runs, and exactly one session is created per task id however often it is published. With
--wait the script asks the session-store which session the task became, and prints its events.
"""
import argparse
import json
import os
import sys
import time

from corral_nats import Nats, NatsError


def submit(nc, task, retry_for_s=30.0):
    """Publishes the task until JetStream acknowledges it: a PubAck means stored; anything else (no
    responders while the stream elects a leader, an error ack, a timeout, a lost server) is retried with
    the same task id, which JetStream and Corral both deduplicate; a lost connection moves to the next
    server of the list. A refused permission is not retried."""
    body = json.dumps(task).encode()
    headers = {"Nats-Msg-Id": "task:" + task["task_id"]}
    deadline, delay = time.time() + retry_for_s, 0.1
    while True:
        try:
            ack = json.loads(nc.request("corral.tasks.submit", body, headers=headers))
            if "error" not in ack:
                return ack
            failure = NatsError(ack["error"].get("description", "publish failed"))
        except (NatsError, OSError) as error:
            if "Permissions Violation" in str(error) or "Authorization" in str(error):
                raise
            failure = error
        if time.time() + delay > deadline:
            raise failure
        time.sleep(delay)
        if isinstance(failure, OSError) or "connection closed" in str(failure):
            try:
                nc.reconnect()
            except NatsError as error:
                failure = error
        delay = min(delay * 2, 2.0)


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


def default_nats_url():
    """The local NATS as the task publisher user, its password read from where `corral up` keeps it."""
    password_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.corral/nats/auth/tasks.password")
    if os.path.exists(password_file):
        with open(password_file) as f:
            return "nats://tasks:%s@127.0.0.1:4222" % f.read().strip()
    return "nats://127.0.0.1:4222"


def task_arguments(description, agent_help=None):
    """The arguments every task-submitting example takes: the message, the task id, agent, environment, NATS URL."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("message")
    parser.add_argument("--task-id", required=True)
    parser.add_argument("--agent", required=True, help=agent_help)
    parser.add_argument("--environment", required=True)
    parser.add_argument("--nats", default=default_nats_url(),
                        help="nats://tasks:<password>@host:4222, or several servers comma-separated "
                        "(default: this host, with the password `corral up` wrote)")
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
