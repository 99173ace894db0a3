/**
 * @module
 * The messages between the executor (main thread) and the reducer workers.
 */
import type { CallChanges, WriteSet } from '../store/index.js';

/** Slots of the shared progress array a worker updates while it runs a batch. */
export const PROGRESS = {
  /** Index of the call running now, or -1 between calls. */
  CALL: 0,
  /** Low and high 32 bits of Date.now() when that call started. */
  START_LO: 1,
  START_HI: 2,
  LENGTH: 4,
} as const;

export interface BatchCall {
  readonly reducerId: number;
  readonly args: Uint8Array;
  /** 32 bytes, little-endian. */
  readonly sender: Uint8Array;
  /** 16 bytes, little-endian; all zero = none. */
  readonly connectionId: Uint8Array;
  readonly timestamp: bigint;
}

export interface BatchTask {
  readonly databasePath: string;
  readonly databaseIdentity: Uint8Array;
  readonly moduleHash: string;
  readonly moduleBytes: Uint8Array;
  readonly schemaJson: string;
  readonly memoryMinPages: number;
  readonly memoryMaxPages: number;
  readonly calls: readonly BatchCall[];
  /** Int32Array over this buffer, laid out as `PROGRESS`. */
  readonly progress: SharedArrayBuffer;
}

export interface CallLogLine {
  readonly ts: bigint;
  readonly level: number;
  readonly message: string;
}

export type CallResult =
  | { readonly status: 'committed'; readonly changes: CallChanges; readonly durationMicros: number; readonly logs: readonly CallLogLine[] }
  | {
      readonly status: 'failed' | 'trapped' | 'out_of_memory';
      readonly message: string;
      readonly durationMicros: number;
      readonly logs: readonly CallLogLine[];
    };

export interface BatchResult {
  readonly writeSet: WriteSet;
  readonly results: readonly CallResult[];
}
