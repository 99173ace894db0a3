/**
 * @module
 * The seam between a load-generator client (load-client.ts: its pipeline of calls, timeouts and
 * bookkeeping) and the connection that carries its calls: the harness's own WebSocket client
 * with a protocol codec (load-ws-transport.ts), or the official SDK 2.x `DbConnection`
 * (load-sdk-transport.ts). A transport is one connection attempt; the client retries with a
 * fresh one when it fails before it is ready.
 */
import type { TransferCall } from './client-codec.js';

export interface Answer {
  readonly requestId: number;
  /** null when committed, else why the call failed. */
  readonly error: string | null;
}

export interface TransportEvents {
  /** Answers that arrived together (one frame, or one settled SDK call), in order. */
  answers(answers: readonly Answer[]): void;
  /** The connection ended after it was ready. */
  closed(why: string): void;
  /** Something to count in the run's errors (the transport then drops the connection). */
  problem(why: string): void;
}

export interface CallTransport {
  /** Resolves once calls may be sent (after the greeting); rejects if the connection ends first. */
  readonly ready: Promise<void>;
  /** Sends one burst of calls (a refill of the pipeline). */
  send(calls: readonly TransferCall[]): void;
  close(): void;
}

/** Opens one connection attempt. */
export type TransportFactory = (events: TransportEvents) => CallTransport;
