/**
 * @module
 * Shaping v2 server messages from protocol-free results: a client's share of a transaction's
 * deltas becomes a `TransactionUpdate` grouped per query set, then per table (one
 * `PersistentTable` rows entry per subscribed query, inserts first on the wire); subscription
 * rows become `QueryRows`; a failed call becomes `Err` (the module's message as a BSATN string)
 * or `InternalError`.
 */
import type { ClientDelta, QueryRows } from '../../api/index.js';
import {
  BsatnWriter,
  type V2QueryRows,
  type V2ReducerOutcome,
  type V2TableUpdate,
  type V2TransactionUpdate,
  type WasmbaseError,
} from '../../protocol/index.js';

/** A client's share of one transaction, grouped per query set and table. */
export function transactionUpdateOf(updates: readonly ClientDelta[]): V2TransactionUpdate {
  const sets = new Map<number, Map<string, V2TableUpdate['rows'][number][]>>();
  for (const d of updates) {
    let tables = sets.get(d.set);
    if (tables === undefined) sets.set(d.set, (tables = new Map()));
    const entry = { tag: 'PersistentTable', inserts: d.inserts, deletes: d.deletes } as const;
    const rows = tables.get(d.tableName);
    if (rows === undefined) tables.set(d.tableName, [entry]);
    else rows.push(entry);
  }
  const querySets = [...sets].map(([querySetId, tables]) => ({
    querySetId,
    tables: [...tables].map(([tableName, rows]) => ({ tableName, rows })),
  }));
  return { querySets };
}

/** The current (or dropped) rows of a query set. */
export function queryRowsOf(rows: readonly QueryRows[]): V2QueryRows {
  return { tables: rows.map(r => ({ table: r.query.tableName, rows: r.rows })) };
}

/**
 * How a failed call is reported: the module's own failure (`REDUCER_FAILED`) as `Err` with its
 * message as a BSATN string (the SDK raises it as a `SenderError`); anything else (a trap, a
 * timeout, out of memory, the server's trouble) as `InternalError`.
 */
export function failedOutcome(error: WasmbaseError): V2ReducerOutcome {
  if (error.code !== 'REDUCER_FAILED') {
    return { tag: 'InternalError', message: `${error.code}: ${error.message}` };
  }
  const w = new BsatnWriter(16 + error.message.length * 3);
  w.writeString(error.message);
  return { tag: 'Err', error: w.toBytes() };
}
