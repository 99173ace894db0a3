/**
 * @module
 * `wasmbase subscribe <db> <query>...`: subscribes over the WebSocket API and prints the initial
 * rows, then each change as it arrives, until Ctrl-C, `--timeout` or `--num-updates`.
 *
 * It speaks the text protocol `v1.json.spacetimedb` (the server offers it next to v2/v3), through
 * the repository's own codec in runtime/protocol: rows arrive as SATS-JSON objects by column
 * name, which is what a person wants to read and needs no schema. One `SubscribeMulti` carries
 * every query; its `SubscribeMultiApplied` holds the initial rows and each later committed
 * `TransactionUpdate` the rows that changed. A refused query (`SubscriptionError`), a refused
 * upgrade (unknown database, bad token) or the server closing the socket ends the command with
 * exit code 1; stopping it on purpose (signal, timeout, update count) with 0.
 */
import type { IncomingMessage } from 'node:http';
import { Command } from 'commander';
import WebSocket from 'ws';
import {
  decodeServerMessageJson,
  encodeClientMessageJson,
  WasmbaseError,
  WS_PROTOCOL_V1_JSON,
  type DatabaseUpdateOf,
  type JsonQueryUpdate,
  type JsonServerMessage,
} from '../../runtime/protocol/index.js';
import {
  CliError,
  dbPath,
  expectOk,
  say,
  serverOf,
  storedToken,
  UsageError,
  withCommon,
  withExamples,
  type Common,
} from './client.js';
import { diffLines, initialTable, jsonLines, type TableRows } from './subscribe-output.js';

export interface SubscribeOptions extends Common {
  readonly timeout?: string;
  readonly numUpdates?: string;
  readonly json: boolean;
}

/** Rows per table, merged over the table's query updates, in arrival order. */
function tableRows(update: DatabaseUpdateOf<JsonQueryUpdate>): TableRows[] {
  const byName = new Map<string, { deletes: string[]; inserts: string[] }>();
  for (const t of update.tables) {
    let rows = byName.get(t.tableName);
    if (rows === undefined) byName.set(t.tableName, (rows = { deletes: [], inserts: [] }));
    for (const q of t.updates) {
      rows.deletes.push(...q.deletes);
      rows.inserts.push(...q.inserts);
    }
  }
  return [...byName].map(([table, rows]) => ({ table, ...rows }));
}

function printInitial(tables: readonly TableRows[], json: boolean): void {
  if (json) process.stdout.write(jsonLines('initial', tables));
  else process.stdout.write(tables.map(t => initialTable(t.table, t.inserts)).join('\n'));
}

function printChange(tables: readonly TableRows[], json: boolean): void {
  process.stdout.write(json ? jsonLines('change', tables) : diffLines(tables));
}

function positive(value: string | undefined, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok = value.trim() !== '' && Number.isFinite(n) && n > 0 && (!integer || n % 1 === 0);
  if (!ok)
    throw new UsageError(
      `${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`,
    );
  return n;
}

/** A failure to connect, as the CLI reports it. */
function connectError(err: Error & { code?: string }, server: string): CliError {
  if (err.code === 'ECONNREFUSED')
    return new CliError(`no server at ${server}: start one with "wasmbase start" or pass --server`);
  return new CliError(`cannot reach ${server}: ${err.message}`);
}

/** A refused upgrade: the server's JSON error body, worded as for HTTP commands. */
async function refusal(res: IncomingMessage): Promise<Error> {
  let body = '';
  for await (const chunk of res) body += String(chunk);
  try {
    await expectOk(new Response(body, { status: res.statusCode ?? 500 }));
    return new CliError(`the server refused the subscription [HTTP ${res.statusCode}]`);
  } catch (err) {
    return err instanceof Error ? err : new CliError(String(err));
  }
}

/** Subscribes and prints until stopped; rejects with a CliError on any failure. */
export function runSubscription(db: string, queries: string[], o: SubscribeOptions) {
  const timeout = positive(o.timeout, '--timeout', false);
  const maxUpdates = positive(o.numUpdates, '--num-updates', true);
  const server = serverOf(o);
  const token = storedToken(o);
  const url = `${server.replace(/^http/, 'ws')}${dbPath(db, '/subscribe')}?compression=None`;
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const socket = new WebSocket(url, [WS_PROTOCOL_V1_JSON], { headers });
  return new Promise<void>((resolve, reject) => {
    let stopping = false;
    let failure: Error | undefined;
    let updates = 0;
    const stop = (err?: Error) => {
      failure ??= err;
      stopping = true;
      socket.close(1000);
    };
    const onSignal = () => stop();
    const timer = timeout === undefined ? undefined : setTimeout(onSignal, timeout * 1000);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const finish = () => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (failure !== undefined) reject(failure);
      else resolve();
    };
    socket.on('unexpected-response', (_req, res) => {
      void refusal(res).then(err => {
        failure ??= err;
        socket.terminate(); // drops the HTTP connection; 'close' follows and finishes
      });
    });
    // A socket error is followed by 'close', which finishes.
    socket.on('error', err => (failure ??= connectError(err, server)));
    socket.on('open', () =>
      socket.send(
        encodeClientMessageJson({
          tag: 'SubscribeMulti',
          queryStrings: queries,
          requestId: 1,
          queryId: 1,
        }),
      ),
    );
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (stopping) return;
      try {
        if (isBinary) throw new CliError('the server sent a binary frame on the JSON protocol');
        const done = handle(decodeServerMessageJson(data.toString('utf8')), queries.length, o);
        if (done === 'update' && maxUpdates !== undefined && ++updates >= maxUpdates) stop();
      } catch (err) {
        stop(err instanceof Error ? err : new CliError(String(err)));
      }
    });
    socket.on('close', (code, reason) => {
      if (!stopping)
        failure ??= new CliError(
          `the server closed the subscription (${code}${reason.length > 0 ? `: ${reason}` : ''})`,
        );
      finish();
    });
  });
}

/** Handles one server message; says whether it was a printed update. */
function handle(
  msg: JsonServerMessage,
  queries: number,
  o: SubscribeOptions,
): 'update' | undefined {
  switch (msg.tag) {
    case 'SubscriptionError':
      throw new CliError(`the subscription was refused: ${msg.error}`);
    case 'SubscribeMultiApplied':
      printInitial(tableRows(msg.update), o.json);
      say(
        `subscribed to ${queries} quer${queries === 1 ? 'y' : 'ies'}; printing changes until ` +
          (o.timeout === undefined ? 'Ctrl-C' : `Ctrl-C or ${o.timeout} s have passed`),
      );
      return undefined;
    case 'TransactionUpdate':
      if (msg.status.tag !== 'Committed') return undefined;
      printChange(tableRows(msg.status.update), o.json);
      return 'update';
    case 'TransactionUpdateLight':
      printChange(tableRows(msg.update), o.json);
      return 'update';
    default:
      return undefined;
  }
}

export function subscribeCommand(): Command {
  const cmd = withCommon(new Command('subscribe'))
    .description('print the rows of SQL queries, then every change to them as it happens')
    .argument('<database>', 'database name or identity')
    .argument('<query...>', 'SELECT queries, e.g. "SELECT * FROM person"')
    .option('--timeout <seconds>', 'stop after this many seconds (default: run until Ctrl-C)')
    .option('-n, --num-updates <n>', 'stop after this many transactions')
    .option('--json', 'one JSON line per row: {"event","table","row"}', false)
    .action(async (database: string, queries: string[], opts: SubscribeOptions) => {
      try {
        await runSubscription(database, queries, opts);
      } catch (err) {
        if (err instanceof WasmbaseError)
          throw new CliError(`the server sent a message this CLI cannot read: ${err.message}`);
        throw err;
      }
    });
  return withExamples(
    cmd,
    "wasmbase subscribe quickstart 'SELECT * FROM person'",
    "wasmbase subscribe chat 'SELECT * FROM message' 'SELECT * FROM user' --json",
    "wasmbase subscribe quickstart 'SELECT * FROM person' --timeout 10 -n 1",
  );
}
