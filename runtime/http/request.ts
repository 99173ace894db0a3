/**
 * @module
 * What a route handler sees of a request (copied out of uWS before any await) and what it
 * returns. Bodies are read up front with a per-route size limit; streaming replies (log
 * follow) get a `StreamControl` from the server.
 */
export interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Route parameters, by name. */
  readonly params: Readonly<Record<string, string>>;
  readonly authorization: string;
  readonly contentType: string;
  /** The peer's address as the transport reports it (the abuse limits count by it). */
  readonly address: string;
  readonly body: Uint8Array;
  /** True once the client went away; handlers stop writing. */
  readonly isAborted: () => boolean;
}

export interface BodyReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** The server's side of an open streaming response (log follow). */
export interface StreamControl {
  /**
   * Writes a chunk; ignored once the stream ended. Ends the stream if the client reads too
   * slowly.
   */
  write(chunk: string): void;
  /** Ends the response (runs the cleanup registered with `onClose`). */
  end(): void;
  /**
   * Registers cleanup, run once when the stream ends for any reason (client left, `end()`, server
   * closing).
   */
  onClose(fn: () => void): void;
}

/**
 * A reply that streams: status 200 with `headers` and `first` as the first chunk (which must not
 * be empty: an empty chunk ends a chunked response), then whatever `start` writes.
 */
export interface StreamReply {
  readonly headers: Readonly<Record<string, string>>;
  readonly first: string;
  readonly start: (stream: StreamControl) => void;
  /** Called instead of `start` when the client left before the stream began. */
  readonly cancel: () => void;
}

export type Reply = BodyReply | StreamReply;

export function json(
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
): BodyReply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  };
}

export function text(
  status: number,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): BodyReply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}
