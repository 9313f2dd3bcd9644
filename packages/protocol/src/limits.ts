/**
 * Byte caps on the sandbox path. The in-sandbox executor truncates every tool result to
 * `TOOL_RESULT_MAX_BYTES` (and says so in the result); the sandbox-manager treats any frame from an
 * executor longer than `EXECUTOR_FRAME_MAX_BYTES` as a broken channel, so no sandbox can make it buffer
 * more than that. A frame is one JSON line: the result's content, escaped (up to 6 bytes per byte), plus
 * a few fields.
 */
export const TOOL_RESULT_MAX_BYTES = 256 * 1024;
export const EXECUTOR_FRAME_MAX_BYTES = 6 * TOOL_RESULT_MAX_BYTES + 64 * 1024;
