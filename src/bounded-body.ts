// A request body read with a ceiling, for the mock engine and the webhook handler: never more than `limit`
// bytes are buffered, whatever the sender declares. Fetch streams only, so it runs on every runtime; a leaf
// module with no imports, which the runtime-neutral webhooks entry may bundle.

/** The body's bytes, or undefined when it is over `limit` (the rest is then cancelled, not read). */
export async function readBoundedStream(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: a cloned request's stream (MSW clones) settles a cancel only once every branch is cancelled.
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return concatBytes(chunks, size);
}

/** The chunks as one array of `size` bytes (the only chunk itself when there is one). */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
