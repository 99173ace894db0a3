/**
 * Cross-check of the v2 codec against the official TypeScript SDK 2.10.1's own message types
 * (`spacetimedb2/src/sdk/client_api/types.ts`, generated from SpacetimeDB's `v2.rs`): the SDK
 * must serialize our client messages to the bytes we produce, and read every server message we
 * produce, consuming every byte, back into a value it serializes to identical bytes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  encodeV2ClientMessage,
  encodeV2ServerMessage,
  type V2ClientMessage,
} from '../../../runtime/protocol/index.js';
import { hex } from '../wire-test-helpers.js';
import { CLIENT_CASES, IDENTITY, ROW0, ROW1, SERVER_CASES } from './ws-v2-fixtures.js';

// The SDK does not export its message types; they are loaded from its TypeScript sources, whose
// types this project does not compile, so the few members used are typed here.
interface SdkWriter {
  getBuffer(): Uint8Array;
}
interface SdkReader {
  readonly remaining: number;
}
interface SdkType {
  serialize(writer: SdkWriter, value: unknown): void;
  deserialize(reader: SdkReader): unknown;
}
interface Sdk {
  ClientMessage: SdkType;
  ServerMessage: SdkType;
  writer(): SdkWriter;
  reader(bytes: Uint8Array): SdkReader;
}

const SDK_SRC = '../../../node_modules/spacetimedb2/src';

async function loadSdk(): Promise<Sdk> {
  const types = (await import(/* @vite-ignore */ `${SDK_SRC}/sdk/client_api/types.ts`)) as {
    ClientMessage: SdkType;
    ServerMessage: SdkType;
  };
  const { default: Writer } = (await import(
    /* @vite-ignore */ `${SDK_SRC}/lib/binary_writer.ts`
  )) as {
    default: new (size: number) => SdkWriter;
  };
  const { default: Reader } = (await import(
    /* @vite-ignore */ `${SDK_SRC}/lib/binary_reader.ts`
  )) as {
    default: new (bytes: Uint8Array) => SdkReader;
  };
  return {
    ClientMessage: types.ClientMessage,
    ServerMessage: types.ServerMessage,
    writer: () => new Writer(256),
    reader: bytes => new Reader(bytes),
  };
}

/** Our client message as the SDK's value: `{ tag, value }` with the SDK's field names. */
function sdkClientValue(msg: V2ClientMessage): unknown {
  switch (msg.tag) {
    case 'Subscribe':
      return {
        tag: msg.tag,
        value: {
          requestId: msg.requestId,
          querySetId: { id: msg.querySetId },
          queryStrings: msg.queryStrings,
        },
      };
    case 'Unsubscribe':
      return {
        tag: msg.tag,
        value: {
          requestId: msg.requestId,
          querySetId: { id: msg.querySetId },
          flags: { tag: msg.flags, value: {} },
        },
      };
    case 'OneOffQuery':
      return { tag: msg.tag, value: { requestId: msg.requestId, queryString: msg.queryString } };
    case 'CallReducer':
    case 'CallProcedure': {
      const { tag, ...value } = msg;
      return { tag, value };
    }
  }
}

describe('v2 interop with the official TypeScript SDK 2.10.1 message definitions', () => {
  let sdk: Sdk;
  beforeAll(async () => {
    sdk = await loadSdk();
  }, 60_000);

  const serialize = (type: SdkType, value: unknown): string => {
    const w = sdk.writer();
    type.serialize(w, value);
    return hex(w.getBuffer());
  };
  const deserialize = (type: SdkType, bytes: Uint8Array) => {
    const r = sdk.reader(bytes);
    return { value: type.deserialize(r), remaining: r.remaining };
  };

  it('the SDK serializes every client message to the bytes we produce', () => {
    for (const [name, make] of CLIENT_CASES) {
      const ours = hex(encodeV2ClientMessage(make()));
      expect(serialize(sdk.ClientMessage, sdkClientValue(make())), name).toBe(ours);
    }
  });

  it('the SDK reads every client message we produce, consuming every byte', () => {
    for (const [name, make] of CLIENT_CASES) {
      const { remaining } = deserialize(sdk.ClientMessage, encodeV2ClientMessage(make()));
      expect(remaining, name).toBe(0);
    }
  });

  it('the SDK reads every server message we produce and serializes it to identical bytes', () => {
    for (const [name, make] of SERVER_CASES) {
      const ours = encodeV2ServerMessage(make());
      const { value, remaining } = deserialize(sdk.ServerMessage, ours);
      expect(remaining, name).toBe(0);
      if (name === 'OneOffQueryResult Err') {
        // SDK 2.10.1's `Result` serializer writes an `err` with the `ok` type's serializer
        // (algebraic_type.ts, SumType.makeSerializer), so it cannot re-serialize an `Err`; its
        // reading side, the one a client uses, is checked below.
        expect(() => serialize(sdk.ServerMessage, value)).toThrow(TypeError);
        continue;
      }
      expect(serialize(sdk.ServerMessage, value), name).toBe(hex(ours));
    }
  });

  it('the SDK reads the fields where we put them', () => {
    const [, make] = SERVER_CASES.find(([name]) => name === 'ReducerResult Ok')!;
    const { value } = deserialize(sdk.ServerMessage, encodeV2ServerMessage(make()));
    expect(value).toMatchObject({
      tag: 'ReducerResult',
      value: {
        requestId: 7,
        result: {
          tag: 'Ok',
          value: {
            transactionUpdate: {
              querySets: [
                {
                  querySetId: { id: 3 },
                  tables: [
                    {
                      tableName: 'accounts',
                      rows: [
                        {
                          tag: 'PersistentTable',
                          value: {
                            inserts: { sizeHint: { tag: 'FixedSize', value: 12 } },
                            deletes: { sizeHint: { tag: 'FixedSize', value: 0 } },
                          },
                        },
                      ],
                    },
                    {
                      tableName: 'events',
                      rows: [
                        {
                          tag: 'EventTable',
                          value: { events: { sizeHint: { tag: 'RowOffsets', value: [0n, 1n] } } },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          },
        },
      },
    });
    const rows = (value as { value: { result: { value: SdkTxRows } } }).value.result.value;
    const inserts = rows.transactionUpdate.querySets[0]!.tables[0]!.rows[0]!.value.inserts;
    expect(hex(inserts.rowsData)).toBe(hex(ROW0) + hex(ROW1));
  });

  it('the SDK reads identities, options and results as we mean them', () => {
    const read = (name: string) => {
      const [, make] = SERVER_CASES.find(([n]) => n === name)!;
      return deserialize(sdk.ServerMessage, encodeV2ServerMessage(make())).value;
    };
    const initial = read('InitialConnection') as { value: { identity: object; token: string } };
    expect(String(initial.value.identity)).toBe(IDENTITY.toHex());
    expect(initial.value.token).toBe('tok.en');
    expect(read('SubscriptionError without request id')).toMatchObject({
      value: { requestId: undefined, querySetId: { id: 3 }, error: 'table dropped' },
    });
    expect(read('SubscriptionError with request id')).toMatchObject({ value: { requestId: 5 } });
    expect(read('UnsubscribeApplied without rows')).toMatchObject({ value: { rows: undefined } });
    expect(read('OneOffQueryResult Err')).toMatchObject({
      value: { requestId: 9, result: { err: 'no such table' } },
    });
    expect(read('OneOffQueryResult Ok')).toMatchObject({
      value: { result: { ok: { tables: [{ table: 'accounts' }] } } },
    });
  });
});

interface SdkTxRows {
  transactionUpdate: {
    querySets: { tables: { rows: { value: { inserts: { rowsData: Uint8Array } } }[] }[] }[];
  };
}
