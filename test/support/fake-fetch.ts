// A scripted transport for client tests: records every request and answers from a queue, so tests can
// assert exactly what was sent and how many times.
interface RecordedRequest {
  method: string;
  url: string;
  headers: Headers;
}

export type Reply = Response | Error | ((request: Request) => Promise<Response>);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function fakeFetch(...replies: Reply[]) {
  const requests: RecordedRequest[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    requests.push({ method: request.method, url: request.url, headers: new Headers(request.headers) });
    const reply = replies.shift();
    if (reply === undefined) throw new Error(`fakeFetch: unexpected extra request #${requests.length}`);
    if (reply instanceof Error) throw reply;
    if (typeof reply === "function") return reply(request);
    return reply;
  };
  return { fetch, requests };
}

/**
 * A transport that never answers until the request is aborted, like a server that hangs. It keeps its
 * in-flight requests referenced, as a real socket would; otherwise the garbage collector may reclaim the
 * whole unreachable request (timer included) and the test would hang instead of timing out.
 */
const inFlight = new Set<unknown>();

export function hangingFetch() {
  let calls = 0;
  const fetch = (request: Request): Promise<Response> => {
    calls += 1;
    return new Promise((_, reject) => {
      const entry = { request, reject };
      inFlight.add(entry);
      request.signal.addEventListener("abort", () => inFlight.delete(entry), { once: true });
      // Like a real fetch: an already-aborted signal rejects at once, a later abort rejects then.
      if (request.signal.aborted) reject(request.signal.reason);
      else request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
    });
  };
  return { fetch, calls: () => calls };
}
