/**
 * @module
 * What a route handler sees of a request (copied out of uWS before any await) and what it
 * returns. Bodies are read up front with a per-route size limit.
 */
import type { HttpResponse } from './uws.js';

export interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Route parameters, by name. */
  readonly params: Readonly<Record<string, string>>;
  readonly authorization: string;
  readonly contentType: string;
  readonly body: Uint8Array;
  /** True once the client went away; handlers stop writing. */
  readonly isAborted: () => boolean;
}

export interface BodyReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** A reply that takes over the response (streams). `res` is already aborted-guarded. */
export interface StreamReply {
  readonly stream: (res: HttpResponse, onAbort: (fn: () => void) => void) => void;
}

export type Reply = BodyReply | StreamReply;

export function json(status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): BodyReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

export function text(status: number, body: string, headers: Readonly<Record<string, string>> = {}): BodyReply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}
