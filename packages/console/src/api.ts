// The public HTTP API, with the key from session storage in the `x-api-key` header (never in a URL).
const KEY = "corral.apiKey";

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storeKey = (key: string) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Listeners told when the key was refused (the app signs out). */
const unauthorized = new Set<() => void>();
export const onUnauthorized = (fn: () => void) => {
  unauthorized.add(fn);
  return () => void unauthorized.delete(fn);
};

export function authHeaders(key = storedKey()): Record<string, string> {
  return key ? { "x-api-key": key } : {};
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return new ApiError(res.status, body.error?.message ?? `HTTP ${res.status}`);
  } catch {
    return new ApiError(res.status, text.slice(0, 200) || `HTTP ${res.status}`);
  }
}

export interface CallOptions {
  method?: "GET" | "POST" | "DELETE";
  body?: unknown;
  key?: string;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(options.key), accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (res.status === 401 && !options.key) unauthorized.forEach((fn) => fn());
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** `a[]=x&a[]=y` lists as the gateway's `qs` parser reads them. */
export function query(params: Record<string, string | number | boolean | string[] | undefined>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value))
      value.forEach((v) => parts.push(`${encodeURIComponent(name)}[]=${encodeURIComponent(v)}`));
    else parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

export interface Page<T> {
  data: T[];
  next_page: string | null;
}

export const sendEvents = (sessionId: string, events: unknown[]) =>
  api<{ data: unknown[] }>(`/v1/sessions/${sessionId}/events`, { method: "POST", body: { events } });
