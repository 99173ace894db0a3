/**
 * `prepareCall`, the one place a reducer call is checked: the reducer exists (REDUCER_NOT_FOUND
 * with a "did you mean" hint and the list of callable reducers, clipped), lifecycle reducers
 * are refused unless the server itself calls them, BSATN arguments must be exactly one value of
 * the parameter product, and JSON text arguments are parsed and converted (empty text = no
 * arguments).
 */
import { describe, expect, it } from 'vitest';
import { prepareCall } from '../../runtime/host/index.js';
import {
  encodeToBytes,
  WasmbaseError,
  type AlgebraicValue,
  type ProductType,
} from '../../runtime/protocol/index.js';
import { buildSchema, T } from '../helpers/schemas.js';

const TABLES = [{ name: 'thing', columns: [{ name: 'id', type: T.u32, pk: true }] }];

const schema = buildSchema(TABLES, [
  {
    name: 'add_player',
    params: [
      { name: 'name', type: T.string },
      { name: 'team', type: T.u32 },
    ],
  },
  { name: 'ping' },
  { name: 'init', lifecycle: 'Init' },
  { name: 'client_connected', lifecycle: 'OnConnect' },
]);

const params = (name: string): ProductType => schema.reducerByName(name)!.params;
const bsatn = (name: string, values: AlgebraicValue[]): Uint8Array =>
  encodeToBytes({ tag: 'Product', elements: params(name).elements }, values);

/** The error `fn` throws (it must throw a WasmbaseError). */
function thrown(fn: () => unknown): WasmbaseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WasmbaseError) return err;
    throw err;
  }
  throw new Error('expected a WasmbaseError, nothing was thrown');
}

describe('prepareCall: the reducer', () => {
  it('returns the reducer and BSATN arguments as given', () => {
    const args = bsatn('add_player', ['ann', 7]);
    const prepared = prepareCall(schema, 'add_player', args);
    expect(prepared.reducer.name).toBe('add_player');
    expect(prepared.reducer.id).toBe(schema.reducerByName('add_player')!.id);
    expect(prepared.args).toBe(args);
  });

  it('names an unknown reducer, hints the closest, and lists the callable ones only', () => {
    const err = thrown(() => prepareCall(schema, 'add_playr', new Uint8Array(0)));
    expect(err.code).toBe('REDUCER_NOT_FOUND');
    expect(err.message).toBe(
      'no reducer "add_playr" in this database; did you mean "add_player"? ' +
        'Its reducers are: add_player, ping',
    );
    expect(err.details).toEqual({ reducer: 'add_playr' });
    const far = thrown(() => prepareCall(schema, 'zzzzzzzz', new Uint8Array(0)));
    expect(far.message).not.toMatch(/did you mean/);
  });

  it('clips a long unknown name to 80 characters and gives no hint past 256', () => {
    const long = 'add_player'.padEnd(300, 'x');
    const err = thrown(() => prepareCall(schema, long, new Uint8Array(0)));
    expect(err.details).toEqual({ reducer: long.slice(0, 80) });
    expect(err.message).toContain(`"${long.slice(0, 80)}"`);
    expect(err.message).not.toContain(long.slice(0, 81));
    expect(err.message).not.toMatch(/did you mean/);
  });

  it('lists at most 12 reducers, then points to the schema', () => {
    const many = buildSchema(
      TABLES,
      Array.from({ length: 15 }, (_, i) => ({ name: `r${String(i).padStart(2, '0')}` })),
    );
    const err = thrown(() => prepareCall(many, 'nothing_like_it', new Uint8Array(0)));
    const listed = Array.from({ length: 12 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    expect(err.message).toContain(`Its reducers are: ${listed.join(', ')}, … (see GET`);
    expect(err.message).not.toContain('r12');
  });

  it('says "none" when the module has no callable reducer', () => {
    const bare = buildSchema(TABLES, [{ name: 'init', lifecycle: 'Init' }]);
    const err = thrown(() => prepareCall(bare, 'x', new Uint8Array(0)));
    expect(err.message).toMatch(/Its reducers are: none$/);
  });

  it('refuses lifecycle reducers to clients and lets the server call them', () => {
    const err = thrown(() => prepareCall(schema, 'client_connected', new Uint8Array(0)));
    expect(err.code).toBe('LIFECYCLE_NOT_CALLABLE');
    expect(err.message).toMatch(/OnConnect lifecycle reducer; the server calls it/);
    expect(err.details).toEqual({ reducer: 'client_connected' });
    const ok = prepareCall(schema, 'init', new Uint8Array(0), true);
    expect(ok.reducer.lifecycle).toBe('Init');
  });
});

describe('prepareCall: BSATN arguments', () => {
  it('refuses trailing bytes, truncated values and missing arguments', () => {
    const good = bsatn('add_player', ['bo', 1]);
    const cases = [Uint8Array.of(...good, 0), good.subarray(0, good.length - 1), new Uint8Array(0)];
    for (const args of cases) {
      const err = thrown(() => prepareCall(schema, 'add_player', args));
      expect(err.code).toBe('REDUCER_ARGS_INVALID');
      expect(err.message).toMatch(/^arguments of add_player do not match its parameters: /);
      expect(err.details).toEqual({ reducer: 'add_player' });
    }
    expect(thrown(() => prepareCall(schema, 'ping', Uint8Array.of(1))).code).toBe(
      'REDUCER_ARGS_INVALID',
    );
  });
});

describe('prepareCall: JSON arguments', () => {
  it('converts an array or an object by parameter name into the same BSATN', () => {
    const want = bsatn('add_player', ['cy', 3]);
    expect(prepareCall(schema, 'add_player', { jsonText: '["cy", 3]' }).args).toEqual(want);
    const byName = { jsonText: '{"name": "cy", "team": 3}' };
    expect(prepareCall(schema, 'add_player', byName).args).toEqual(want);
  });

  it('takes empty text as no arguments', () => {
    expect(prepareCall(schema, 'ping', { jsonText: '  ' }).args).toEqual(new Uint8Array(0));
    expect(thrown(() => prepareCall(schema, 'add_player', { jsonText: '' })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('refuses text that is not JSON, and JSON of the wrong shape', () => {
    const bad = thrown(() => prepareCall(schema, 'add_player', { jsonText: '["cy", 3' }));
    expect(bad.code).toBe('INVALID_JSON');
    expect(bad.message).toMatch(/^the arguments of add_player are not valid JSON/);
    expect(bad.details).toEqual({ reducer: 'add_player' });
    const count = thrown(() => prepareCall(schema, 'add_player', { jsonText: '["cy"]' }));
    expect(count.code).toBe('INVALID_ARGUMENT');
    expect(count.message).toMatch(/takes 2 arguments, got 1/);
    const scalar = thrown(() => prepareCall(schema, 'add_player', { jsonText: '42' }));
    expect(scalar.code).toBe('INVALID_ARGUMENT');
  });

  it('checks the reducer before the arguments', () => {
    const err = thrown(() => prepareCall(schema, 'nope', { jsonText: '{' }));
    expect(err.code).toBe('REDUCER_NOT_FOUND');
  });
});
