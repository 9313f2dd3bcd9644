#!/usr/bin/env bash
# One session over Corral's HTTP API with nothing but curl: create an environment and an agent,
# start a session, follow its events (SSE) in the background, send a message, stop at idle.
#   CORRAL_URL      default http://127.0.0.1:8420
#   CORRAL_API_KEY  default: the key `corral up` saved in .corral/api-key
set -euo pipefail
cd "$(dirname "$0")/../.."
url="${CORRAL_URL:-http://127.0.0.1:8420}"
key="${CORRAL_API_KEY:-$(cat .corral/api-key)}"
task="${1:-Print the kernel version}"
api() { curl -sS --fail-with-body -H "x-api-key: $key" -H "content-type: application/json" "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

env_id=$(api "$url/v1/environments" -d "{\"name\": \"curl-$(date +%s%N)\"}" | field id)
agent_id=$(api "$url/v1/agents" -d '{"name": "curl-agent", "model": "claude-sonnet-4-6", "tools": [{"type": "agent_toolset_20260401"}]}' | field id)
session_id=$(api "$url/v1/sessions" -d "{\"agent\": \"$agent_id\", \"environment_id\": \"$env_id\"}" | field id)
echo "session $session_id"

# Follow first, then send, so no event is missed. Each SSE frame: id (position), event (type), data (JSON).
coproc FOLLOW { exec curl -sS -N -H "x-api-key: $key" "$url/v1/sessions/$session_id/events/stream"; }
sleep 0.5
api "$url/v1/sessions/$session_id/events" -d "{\"events\": [{\"type\": \"user.message\", \"content\": [{\"type\": \"text\", \"text\": \"$task\"}]}]}" >/dev/null
while IFS= read -r line <&"${FOLLOW[0]}"; do
  case "$line" in
    "event: ping") ;;
    "event: "*) echo "${line#event: }" ;;
    "data: "*"\"stop_reason\""*) echo "  ${line#data: }" | cut -c1-200; break ;;
  esac
done
kill "$FOLLOW_PID" 2>/dev/null || true

# The whole history, one page at a time (next_page is an opaque cursor).
api "$url/v1/sessions/$session_id/events?limit=100" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]), "events stored")'
