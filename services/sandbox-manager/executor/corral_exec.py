"""Corral's in-sandbox executor: JSON lines on stdin, JSON lines on stdout, one per tool call.

Only the sandbox-manager talks to it, over the container's attached stdio (no network, no port).
Request:  {"id": 1, "tool": "bash", "input": {...}}
Response: {"id": 1, "content": "...", "is_error": false}
"""
import glob as globlib
import json
import os
import re
import select
import time
import signal
import stat
import subprocess
import sys
import threading

WORKSPACE = "/workspace"
STATE_DIR = "/tmp/.corral"
# Results of keyed calls (the tool_use id): a manager that restarted mid-call asks again with the same key
# and gets the one result, so a tool never runs twice. Only the newest RESULTS_KEPT are kept.
RESULTS_DIR = os.path.join(STATE_DIR, "results")
RESULTS_KEPT = 256
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
OUTPUT_LIMIT = 100 * 1024
# Every reply's content is cut to this many bytes (TOOL_RESULT_MAX_BYTES in @corral/protocol's limits.ts);
# the manager drops a channel whose frame is far larger, so a reply must never exceed it.
RESULT_LIMIT = int(os.environ.get("CORRAL_RESULT_MAX_BYTES") or 256 * 1024)
READ_LIMIT = 256 * 1024
GLOB_LIMIT = 200
OUTPUTS_DIR = "/mnt/session/outputs"  # SESSION_OUTPUTS_DIR in @corral/protocol
SCAN_LIMIT = 1000  # SESSION_OUTPUTS_PER_SESSION_MAX in @corral/protocol
WRITABLE_ROOTS = ("/workspace", "/tmp", "/mnt/session/outputs")  # the last: files returned to the client
out_lock = threading.Lock()


class ToolError(Exception):
    pass


def reply(request_id, content, is_error=False):
    content = capped(content)
    line = json.dumps({"id": request_id, "content": content, "is_error": is_error})
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def truncate(text, limit=OUTPUT_LIMIT, unread=0):
    """The text cut to `limit` bytes; `unread` more bytes of it were never read at all."""
    data = text.encode("utf-8", "replace")
    if len(data) + unread <= limit:
        return text
    kept = data[:limit].decode("utf-8", "ignore")
    return kept + "\n[output truncated: %d of %d bytes shown]" % (limit, len(data) + unread)


def capped(text):
    """The content cut to RESULT_LIMIT bytes, saying how many were left out."""
    data = text.encode("utf-8", "replace")
    if len(data) <= RESULT_LIMIT:
        return text
    note = "\n[output truncated: %d bytes omitted]"
    kept = data[:RESULT_LIMIT - 64].decode("utf-8", "ignore")
    return kept + note % (len(data) - len(kept.encode("utf-8")))


def resolve(path):
    return os.path.realpath(path if os.path.isabs(path) else os.path.join(WORKSPACE, path))


def writable(path):
    real = resolve(path)
    if not any(real == root or real.startswith(root + "/") for root in WRITABLE_ROOTS):
        raise ToolError("%s is outside the workspace; files may be written under /workspace, /tmp or /mnt/session/outputs only" % path)
    return real


class Shell:
    """One long-lived bash per sandbox: cwd, variables and functions persist from call to call."""

    def __init__(self):
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=WORKSPACE if os.path.isdir(WORKSPACE) else "/", process_group=0, close_fds=False,
        )

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.proc = None

    def run(self, command, timeout_s):
        """Returns (exit code or None on timeout, stdout bytes, stderr bytes, shell restarted?)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        out, err = os.path.join(STATE_DIR, "out"), os.path.join(STATE_DIR, "err")
        marker = "__CORRAL_DONE_%s__" % os.urandom(8).hex()
        # The group runs in the shell itself, so `cd` and `export` stick; its output goes to files.
        script = "{ %s\n} > %s 2> %s < /dev/null\necho \"%s $?\"\n" % (command, out, err, marker)
        try:
            self.proc.stdin.write(script.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.start()
            return self.run(command, timeout_s)
        deadline = time.monotonic() + timeout_s
        line = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                return None, read_file(out), read_file(err), True
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                # The command ended the shell itself (e.g. `exit 3`).
                code = self.proc.wait()
                self.proc = None
                return code, read_file(out), read_file(err), True
            line += chunk
            if marker.encode() in line:
                code = int(line.split(marker.encode())[1].split()[0])
                return code, read_file(out), read_file(err), False


def read_file(path, limit=OUTPUT_LIMIT):
    """(at most `limit` bytes of the file, its whole size): a flood of output is never read whole."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit)
            return data, max(len(data), os.fstat(f.fileno()).st_size)
    except OSError:
        return b"", 0


shell = Shell()


def bash(inp):
    os.makedirs(STATE_DIR, exist_ok=True)
    if inp.get("restart"):
        shell.stop()
        if not inp.get("command"):
            return "The shell was restarted.", False
    command = inp.get("command")
    if not command:
        raise ToolError("bash needs a command")
    timeout_ms = inp.get("timeout_ms", 120000)
    code, stdout, stderr, restarted = shell.run(command, timeout_ms / 1000.0)
    body, lost = render(stdout, stderr), unread(stdout, stderr)
    if code is None:
        return truncate("Command timed out after %d ms and was killed; the shell was restarted.\n%s" % (timeout_ms, body), unread=lost), True
    note = "\n(the shell exited and will be restarted)" if restarted else ""
    return truncate("exit code: %d\n%s%s" % (code, body, note), unread=lost), code != 0


def unread(stdout, stderr):
    """How many bytes of the command's output were never read (the rest of a flood)."""
    return stdout[1] - len(stdout[0]) + stderr[1] - len(stderr[0])


def render(stdout, stderr):
    parts = []
    out, err = stdout[0].decode("utf-8", "replace"), stderr[0].decode("utf-8", "replace")
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


def scan_outputs(_inp):
    """Every regular file under the outputs folder as `size seconds.nanoseconds path` + NUL, oldest first:
    what `find -printf '%s %T@ %P\\0'` prints, without a process per scan. Too many to list within half a
    reply is an error (the manager then scans with find)."""
    found = []
    for root, _dirs, files in os.walk(OUTPUTS_DIR, followlinks=False):
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found.append((st.st_mtime_ns, st.st_size, os.path.relpath(path, OUTPUTS_DIR)))
        if len(found) > SCAN_LIMIT:
            raise ToolError("more than %d files" % SCAN_LIMIT)
    found.sort()
    listing = "".join("%d %d.%09d %s\0" % (size, ns // 10**9, ns % 10**9, rel) for ns, size, rel in found)
    if len(listing.encode("utf-8", "surrogateescape")) > RESULT_LIMIT // 2:
        raise ToolError("listing too long")
    return listing, False


# Calls only the manager makes (it never lets a model's tool call take these names).
CORRAL_CALLS = {"corral.scan_outputs": scan_outputs}


def run_tool(request):
    tool = TOOLS.get(request.get("tool")) or CORRAL_CALLS.get(request.get("tool"))
    try:
        if tool is None:
            raise ToolError("unknown tool %r" % request.get("tool"))
        return tool(request.get("input") or {})
    except ToolError as error:
        return str(error), True
    except KeyError as error:
        return "missing input field %s" % error, True
    except Exception as error:  # a tool failure is a result for the model, never a dead executor
        return "%s: %s" % (type(error).__name__, error), True


def stored_result(key):
    try:
        with open(os.path.join(RESULTS_DIR, key)) as f:
            saved = json.load(f)
        return saved["content"], saved["is_error"]
    except (OSError, ValueError, KeyError):
        return None


def store_result(key, content, is_error):
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, key)
    with open(path + ".tmp", "w") as f:
        json.dump({"content": content, "is_error": is_error}, f)
    os.replace(path + ".tmp", path)
    kept = sorted(os.listdir(RESULTS_DIR), key=lambda n: os.path.getmtime(os.path.join(RESULTS_DIR, n)))
    for name in kept[:-RESULTS_KEPT]:
        try:
            os.unlink(os.path.join(RESULTS_DIR, name))
        except OSError:
            pass


def handle(request):
    key = request.get("key")
    key = key if isinstance(key, str) and KEY_PATTERN.match(key) else None
    saved = stored_result(key) if key else None
    if saved is not None:
        reply(request.get("id"), *saved)
        return
    content, is_error = run_tool(request)
    if key:
        store_result(key, content, is_error)
    reply(request.get("id"), content, is_error)


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
