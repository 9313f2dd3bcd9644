"""Run one Corral session over the HTTP API from Python, standard library only.

    python3 http_session.py "Write hello.py and run it"

Creates (or reuses) an environment and an agent, starts a session, opens the session's SSE stream
first, sends the task, prints events as they arrive and stops when the session goes idle. If the
connection drops, it reconnects with Last-Event-ID and nothing is lost or repeated.

    CORRAL_URL      default http://127.0.0.1:8420
    CORRAL_API_KEY  default: the key `corral up` saved in .corral/api-key
"""
import json
import os
import sys
import urllib.error
import urllib.request

URL = os.environ.get("CORRAL_URL", "http://127.0.0.1:8420")


def api_key():
    if os.environ.get("CORRAL_API_KEY"):
        return os.environ["CORRAL_API_KEY"]
    path = os.path.join(os.path.dirname(__file__), "..", "..", ".corral", "api-key")
    with open(path) as f:
        return f.read().strip()


KEY = api_key()


class ApiError(Exception):
    pass


def call(method, path, body=None, headers=None, stream=False):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method)
    req.add_header("x-api-key", KEY)
    if data is not None:
        req.add_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        res = urllib.request.urlopen(req, timeout=None if stream else 60)
    except urllib.error.HTTPError as e:
        error = json.loads(e.read() or b"{}").get("error", {})
        raise ApiError("%s %s: %s" % (e.code, error.get("type"), error.get("message")))
    return res if stream else json.loads(res.read())


def find_or_create(kind, name, params):
    page = call("GET", "/v1/%s?limit=1000" % kind)
    for record in page["data"]:
        if record["name"] == name:
            return record
    return call("POST", "/v1/" + kind, dict(params, name=name))


def frames(res):
    """Yields (id, event, data) for each SSE frame."""
    frame = {}
    for raw in res:
        line = raw.decode().rstrip("\n")
        if not line:
            if "data" in frame:
                yield frame.get("id"), frame.get("event"), json.loads(frame["data"])
            frame = {}
            continue
        field, _, value = line.partition(": ")
        frame[field] = frame.get(field, "") + value if field == "data" else value


def render(event):
    kind = event["type"]
    if kind in ("user.message", "agent.message"):
        text = "".join(b.get("text", "") for b in event["content"])
        return ("> " if kind == "user.message" else "") + text
    if kind == "agent.tool_use":
        return "  tool %s %s" % (event["name"], json.dumps(event["input"])[:200])
    if kind == "agent.tool_result":
        text = "".join(b.get("text", "") for b in event.get("content") or [])
        return "  %s %s" % ("error" if event.get("is_error") else "result", text.strip()[:300])
    if kind == "session.status_idle":
        return "-- idle (%s)" % event["stop_reason"]["type"]
    return None


def main():
    task = " ".join(sys.argv[1:]) or "Print the kernel version"
    environment = find_or_create("environments", "python-example", {})
    agent = find_or_create("agents", "python-example", {
        "model": os.environ.get("CORRAL_MODEL", "claude-sonnet-4-6"),
        "system": "You have a Linux sandbox. Do the work with the tools, then report briefly.",
        "tools": [{"type": "agent_toolset_20260401"}],
    })
    session = call("POST", "/v1/sessions", {"agent": agent["id"], "environment_id": environment["id"], "title": task[:200]})
    print("session", session["id"])

    stream = call("GET", "/v1/sessions/%s/events/stream" % session["id"], stream=True)
    call("POST", "/v1/sessions/%s/events" % session["id"], {"events": [{"type": "user.message", "content": [{"type": "text", "text": task}]}]})
    last_id = None
    while True:
        try:
            for frame_id, kind, event in frames(stream):
                if kind == "ping":
                    continue
                last_id = frame_id or last_id
                line = render(event)
                if line:
                    print(line, flush=True)
                if kind in ("session.status_idle", "session.status_terminated"):
                    return 0 if kind == "session.status_idle" else 1
            raise ConnectionError("stream ended")
        except (ConnectionError, OSError):
            # Resume right after the last event received: nothing lost, nothing repeated.
            headers = {"Last-Event-ID": last_id} if last_id is not None else {}
            stream = call("GET", "/v1/sessions/%s/events/stream" % session["id"], headers=headers, stream=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ApiError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
