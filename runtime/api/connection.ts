/**
 * @module
 * A client connection to one database, as a host-level object shared by every front end.
 * `Connection.open` runs the module's `client_connected` reducer (its failure refuses the
 * connection); `close` runs `client_disconnected` (its failure goes to the module log only).
 * In between, the connection calls reducers and runs one-off queries as its identity. An HTTP
 * reducer call is one short connection (`callOnce`), as in SpacetimeDB.
 *
 * Every reducer call of a client, HTTP or WebSocket, passes the connection's `CallGate` (the
 * calls-per-second abuse limits, `limits/`) before it is queued; the lifecycle reducers the
 * server runs itself do not.
 */
import {
  prepareCall,
  type CallArgs,
  type CallOutcome,
  type DatabaseHandle,
  type ExecutedCall,
} from '../host/index.js';
import type { Logger } from '../log/index.js';
import { ConnectionId, WasmbaseError, type Identity } from '../protocol/index.js';
import type { CallGate } from './limits/abuse-limits.js';
import { oneOffQuery, oneOffQuerySliced, type QueryTable, type RunSqlOptions } from './sql.js';

type Lifecycle = 'OnConnect' | 'OnDisconnect';

const NO_ARGS = new Uint8Array(0);

/** No limit on calls (server-internal connections, tests). */
const OPEN_GATE: CallGate = { admitCall: () => undefined };

export class Connection {
  readonly handle: DatabaseHandle;
  readonly identity: Identity;
  readonly connectionId: ConnectionId;
  readonly isOwner: boolean;
  readonly #logger: Logger;
  readonly #gate: CallGate;
  #closed = false;

  private constructor(
    handle: DatabaseHandle,
    identity: Identity,
    connectionId: ConnectionId,
    logger: Logger,
    gate: CallGate,
  ) {
    this.handle = handle;
    this.identity = identity;
    this.connectionId = connectionId;
    this.isOwner = identity.equals(handle.info.owner);
    this.#logger = logger;
    this.#gate = gate;
  }

  /**
   * Opens a connection: `client_connected` runs first. Throws PERMISSION_DENIED with the
   * module's message when it fails. Every call of the connection passes `gate`.
   */
  static async open(
    handle: DatabaseHandle,
    identity: Identity,
    connectionId: ConnectionId,
    logger: Logger,
    gate: CallGate = OPEN_GATE,
  ): Promise<Connection> {
    const connection = new Connection(handle, identity, connectionId, logger, gate);
    const outcome = await connection.#lifecycle('OnConnect');
    if (outcome?.status === 'failed') {
      throw new WasmbaseError(
        'PERMISSION_DENIED',
        `the database refused the connection: ${outcome.error.message}`,
        { reason: outcome.error.code },
      );
    }
    return connection;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues a reducer call; its outcome is published in the database's batches. Throws
   * RATE_LIMITED (from the gate) and the call's checks synchronously.
   */
  submit(reducer: string, args: CallArgs): ExecutedCall {
    this.#checkOpen();
    this.#gate.admitCall();
    const { identity: sender, connectionId } = this;
    return this.handle.submit({ reducer, args, sender, connectionId });
  }

  /** Runs a reducer call and resolves with its outcome (RATE_LIMITED from the gate). */
  call(reducer: string, args: CallArgs): Promise<CallOutcome> {
    this.#checkOpen();
    this.#gate.admitCall();
    const { identity: sender, connectionId } = this;
    return this.handle.call({ reducer, args, sender, connectionId });
  }

  /** A read-only query (SELECT statements only). */
  oneOffQuery(sql: string, options: RunSqlOptions): QueryTable[] {
    this.#checkOpen();
    return oneOffQuery(this.handle, sql, this.isOwner, options);
  }

  /** `oneOffQuery` read in slices, for big results (see `runtime/api/sql.ts`). */
  oneOffQuerySliced(sql: string, options: RunSqlOptions): Promise<QueryTable[]> {
    this.#checkOpen();
    return oneOffQuerySliced(this.handle, sql, this.isOwner, options);
  }

  /** Closes the connection; `client_disconnected` runs (its failure is only logged). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#lifecycle('OnDisconnect');
    } catch (err) {
      this.#logger.debug('client_disconnected did not run', { err });
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new WasmbaseError('INVALID_ARGUMENT', 'the connection is closed');
  }

  #lifecycle(kind: Lifecycle): Promise<CallOutcome> | undefined {
    const reducer = this.handle.schema.reducers.find(r => r.lifecycle === kind);
    if (reducer === undefined) return undefined;
    return this.handle.call({
      reducer: reducer.name,
      args: NO_ARGS,
      sender: this.identity,
      connectionId: this.connectionId,
      allowLifecycle: true,
    });
  }
}

/**
 * An HTTP reducer call: a connection of its own (`client_connected`, the call,
 * `client_disconnected`). Resolves with the call's outcome; throws when the connection is
 * refused or the call fails its checks. The call passes `gate` once, before anything runs.
 */
export async function callOnce(
  handle: DatabaseHandle,
  identity: Identity,
  reducer: string,
  args: CallArgs,
  logger: Logger,
  gate: CallGate = OPEN_GATE,
): Promise<CallOutcome> {
  // Checked before connecting: a call over the rate, or one that cannot run, does not run the
  // lifecycle reducers.
  gate.admitCall();
  const prepared = prepareCall(handle.schema, reducer, args);
  const connection = await Connection.open(handle, identity, ConnectionId.random(), logger);
  try {
    return await connection.call(prepared.reducer.name, prepared.args);
  } finally {
    await connection.close();
  }
}
