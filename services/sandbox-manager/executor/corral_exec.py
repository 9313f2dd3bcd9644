"""Corral's in-sandbox executor: JSON lines on stdin, JSON lines on stdout, one per tool call.

Only the sandbox-manager talks to it, over the container's attached stdio (no network, no port).
Request:  {"id": 1, "tool": "bash", "input": {...}}
Response: {"id": 1, "content": "...", "is_error": false}
"""
import glob as globlib
import json
import os
import shlex
import signal
import subprocess
import sys
import threading

WORKSPACE = "/workspace"
STATE_DIR = "/tmp/.corral"
OUTPUT_LIMIT = 100 * 1024
READ_LIMIT = 256 * 1024
GLOB_LIMIT = 200
WRITABLE_ROOTS = ("/workspace", "/tmp")
out_lock = threading.Lock()


class ToolError(Exception):
    pass


def reply(request_id, content, is_error=False):
    line = json.dumps({"id": request_id, "content": content, "is_error": is_error})
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def truncate(text, limit=OUTPUT_LIMIT):
    data = text.encode("utf-8", "replace")
    if len(data) <= limit:
        return text
    kept = data[:limit].decode("utf-8", "ignore")
    return kept + "\n[output truncated: %d of %d bytes shown]" % (limit, len(data))


def resolve(path):
    return os.path.realpath(path if os.path.isabs(path) else os.path.join(WORKSPACE, path))


def writable(path):
    real = resolve(path)
    if not any(real == root or real.startswith(root + "/") for root in WRITABLE_ROOTS):
        raise ToolError("%s is outside the workspace; files may be written under /workspace or /tmp only" % path)
    return real


def bash(inp):
    os.makedirs(STATE_DIR, exist_ok=True)
    cwd_file, env_file = os.path.join(STATE_DIR, "cwd"), os.path.join(STATE_DIR, "env")
    if inp.get("restart"):
        for f in (cwd_file, env_file):
            if os.path.exists(f):
                os.remove(f)
        if not inp.get("command"):
            return "The shell was restarted.", False
    command = inp.get("command")
    if not command:
        raise ToolError("bash needs a command")
    timeout_s = inp.get("timeout_ms", 120000) / 1000.0
    cwd = WORKSPACE
    if os.path.exists(cwd_file):
        with open(cwd_file) as f:
            cwd = f.read().strip() or WORKSPACE
    # The shell's cwd and exported variables persist between calls through two state files.
    script = (
        "cd %s 2>/dev/null || cd %s\n" % (shlex.quote(cwd), WORKSPACE)
        + "[ -f %s ] && . %s 2>/dev/null\n" % (env_file, env_file)
        + "trap 'pwd > %s; export -p > %s' EXIT\n" % (cwd_file, env_file)
        + command
        + "\n"
    )
    proc = subprocess.Popen(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        text = "Command timed out after %d ms and was killed.\n" % inp.get("timeout_ms", 120000)
        return truncate(text + render(stdout, stderr)), True
    code = proc.returncode
    body = render(stdout, stderr)
    return truncate("exit code: %d\n%s" % (code, body)), code != 0


def render(stdout, stderr):
    parts = []
    out, err = stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")
    if out:
        parts.append("stdout:\n" + out)
    if err:
        parts.append("stderr:\n" + err)
    return "\n".join(parts) if parts else "(no output)"


def read(inp):
    path = resolve(inp["file_path"])
    if not os.path.isfile(path):
        raise ToolError("%s does not exist or is not a file" % inp["file_path"])
    if os.path.getsize(path) > READ_LIMIT and not inp.get("view_range"):
        raise ToolError("%s is %d bytes; read it in parts with view_range" % (inp["file_path"], os.path.getsize(path)))
    with open(path, "rb") as f:
        data = f.read()
    if b"\0" in data[:8192]:
        raise ToolError("%s is a binary file; only text files can be read" % inp["file_path"])
    lines = data.decode("utf-8", "replace").splitlines()
    start, end = 1, len(lines)
    if inp.get("view_range"):
        start, end = inp["view_range"]
        end = len(lines) if end <= 0 else min(end, len(lines))
        if start < 1 or start > max(1, len(lines)):
            raise ToolError("view_range starts at line %d but the file has %d lines" % (start, len(lines)))
    numbered = ["%6d\t%s" % (i, lines[i - 1]) for i in range(start, end + 1)]
    return truncate("\n".join(numbered) if numbered else "(empty file)", READ_LIMIT), False


def write(inp):
    path = writable(inp["file_path"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(inp["content"])
    return "Wrote %d bytes to %s" % (len(inp["content"].encode()), inp["file_path"]), False


def edit(inp):
    path = writable(inp["file_path"])
    if not os.path.isfile(path):
        raise ToolError("%s does not exist" % inp["file_path"])
    with open(path) as f:
        text = f.read()
    old, new = inp["old_string"], inp["new_string"]
    if not old:
        raise ToolError("old_string must not be empty")
    count = text.count(old)
    if count == 0:
        raise ToolError("old_string was not found in %s" % inp["file_path"])
    if count > 1 and not inp.get("replace_all"):
        raise ToolError("old_string matches %d times in %s; add surrounding context or set replace_all" % (count, inp["file_path"]))
    with open(path, "w") as f:
        f.write(text.replace(old, new) if inp.get("replace_all") else text.replace(old, new, 1))
    return "Replaced %d occurrence%s in %s" % (count if inp.get("replace_all") else 1, "s" if count > 1 and inp.get("replace_all") else "", inp["file_path"]), False


def glob_tool(inp):
    base = resolve(inp.get("path") or WORKSPACE)
    matches = [p for p in globlib.glob(os.path.join(base, inp["pattern"]), recursive=True) if os.path.isfile(p)]
    matches.sort(key=lambda p: os.path.getmtime(p), reverse=True)
    shown = matches[:GLOB_LIMIT]
    if not shown:
        return "No files match.", False
    more = "\n[%d more not shown]" % (len(matches) - GLOB_LIMIT) if len(matches) > GLOB_LIMIT else ""
    return "\n".join(shown) + more, False


def grep(inp):
    base = resolve(inp.get("path") or WORKSPACE)
    cmd = ["rg", "--line-number", "--no-heading", "--color", "never", "--", inp["pattern"], base]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=60)
    except FileNotFoundError:
        proc = subprocess.run(["grep", "-rnE", "--", inp["pattern"], base], capture_output=True, timeout=60)
    if proc.returncode == 1:
        return "No matches found.", False
    if proc.returncode != 0:
        raise ToolError(proc.stderr.decode("utf-8", "replace").strip() or "grep failed")
    return truncate(proc.stdout.decode("utf-8", "replace")), False


TOOLS = {"bash": bash, "read": read, "write": write, "edit": edit, "glob": glob_tool, "grep": grep}


def handle(request):
    request_id = request.get("id")
    tool = TOOLS.get(request.get("tool"))
    try:
        if tool is None:
            raise ToolError("unknown tool %r" % request.get("tool"))
        content, is_error = tool(request.get("input") or {})
        reply(request_id, content, is_error)
    except ToolError as error:
        reply(request_id, str(error), True)
    except KeyError as error:
        reply(request_id, "missing input field %s" % error, True)
    except Exception as error:  # a tool failure is a result for the model, never a dead executor
        reply(request_id, "%s: %s" % (type(error).__name__, error), True)


def main():
    os.makedirs(STATE_DIR, exist_ok=True)
    reply(0, "ready")
    # One call at a time, in order: the shell's state (cwd, env) carries from one call to the next.
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except ValueError:
            continue
        handle(request)


if __name__ == "__main__":
    main()
