/**
 * Table export and import over HTTP: every column type round-trips through JSON Lines and CSV,
 * imports commit in bounded transactions that subscribers see, and bad input is refused with
 * IMPORT_INVALID and its line number.
 */
import { describe, expect, it } from 'vitest';
import { Identity } from '../../runtime/protocol/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer({ importTxRows: 2 });
const http = client(server);
const owner = await http.newIdentity();
const other = await http.newIdentity();

async function publish(name: string): Promise<void> {
  const res = await http.json('POST', `/v1/database/${name}`, {
    token: owner.token,
    body: moduleBytes('fixtures/edge'),
  });
  expect(res.status).toBe(200);
}

const who = '0x' + Identity.random().toHex();
const big = ['-9000000000000000000', '18000000000000000000'];
const rowsArgs: unknown[][] = [
  [true, -5, 250, -30000, 65000, -2e9, 4e9, ...big, 0.5, 1e300, 'ünïcode, "quoted"\nline 2'],
  [false, 0, 0, 0, 0, 0, 0, 0, 0, 'NaN', 'Infinity', ''],
  [false, -128, 255, -32768, 65535, -2147483648, 4294967295, '-9223372036854775808'],
];
rowsArgs[0]!.push('0001ff', who, 1700000000000000, 'text', null, [3, -4, 5]);
rowsArgs[1]!.push('', who, 0, 'null', 7, []);
rowsArgs[2]!.push('18446744073709551615', -1.25, '-Infinity', 'a,b', 'ff', who, 1, null, -1, [0]);

async function text(path: string, token?: string): Promise<{ status: number; body: string }> {
  const res = await http.request('GET', path, token === undefined ? {} : { token });
  return { status: res.status, body: await res.text() };
}

async function importText(db: string, format: string, body: string, token = owner.token) {
  return http.json('POST', `/v1/database/${db}/import/everything?format=${format}`, {
    token,
    body,
    contentType: 'text/plain',
  });
}

describe('table export / import', () => {
  it('round-trips every column type through JSON Lines and CSV', async () => {
    await publish('xfer-src');
    for (const args of rowsArgs) {
      const res = await http.json('POST', '/v1/database/xfer-src/call/put_everything', {
        token: owner.token,
        body: JSON.stringify(args),
        contentType: 'application/json',
      });
      expect(res.status).toBe(200);
    }
    const jsonl = await text('/v1/database/xfer-src/export/everything?format=jsonl');
    expect(jsonl.status).toBe(200);
    const lines = jsonl.body.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ id: 1, u64v: '18000000000000000000', who });
    expect(JSON.parse(lines[1]!)).toMatchObject({
      f32v: 'NaN',
      f64v: 'Infinity',
      maybeText: 'null',
    });
    expect(JSON.parse(lines[2]!)).toMatchObject({
      i64v: '-9223372036854775808',
      u64v: '18446744073709551615',
      bytes: 'ff',
      maybeText: null,
      maybeNumber: -1,
    });
    const csv = await text('/v1/database/xfer-src/export/everything?format=csv');
    expect(csv.body.split('\n')[0]).toBe(
      'id,b,i8v,u8v,i16v,u16v,i32v,u32v,i64v,u64v,f32v,f64v,s,bytes,who,when,' +
        'maybeText,maybeNumber,numbers',
    );

    for (const [format, body] of [
      ['jsonl', jsonl.body],
      ['csv', csv.body],
    ] as const) {
      const target = `xfer-${format}`;
      await publish(target);
      const batches: string[] = [];
      server.engine
        .resolve(target)!
        .onPublished(b => batches.push(...b.calls.map(c => c.call.reducer)));
      const res = await importText(target, format, body);
      expect(res).toMatchObject({ status: 200, body: { rows: 3, transactions: 2 } });
      expect(batches).toEqual(['import:everything', 'import:everything']);
      const back = await text(`/v1/database/${target}/export/everything?format=jsonl`);
      expect(back.body).toBe(jsonl.body);
      const backCsv = await text(`/v1/database/${target}/export/everything?format=csv`);
      expect(backCsv.body).toBe(csv.body);
    }
  });

  it('reports a bad line by number and writes nothing of that request', async () => {
    await publish('xfer-bad');
    const good = (await text('/v1/database/xfer-src/export/everything')).body.split('\n');
    const broken = [good[0], '{"id": 9, "b": "yes"}', good[1]].join('\n');
    const res = await importText('xfer-bad', 'jsonl', broken);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'IMPORT_INVALID', details: { line: 2 } } });
    expect((await text('/v1/database/xfer-bad/export/everything')).body).toBe('');

    const csvRes = await importText('xfer-bad', 'csv', 'id,nope\n1,2\n');
    expect(csvRes.body).toMatchObject({ error: { code: 'IMPORT_INVALID', details: { line: 1 } } });
    const unclosed = await importText('xfer-bad', 'csv', 'id\n"1\n');
    expect(unclosed.body).toMatchObject({
      error: { code: 'IMPORT_INVALID', details: { line: 2 } },
    });
  });

  it('names the line of a duplicate key and keeps the earlier transactions', async () => {
    const rows = (await text('/v1/database/xfer-src/export/everything')).body;
    const dup = rows + rows.split('\n')[0] + '\n';
    await publish('xfer-dup');
    const res = await importText('xfer-dup', 'jsonl', dup);
    expect(res.body).toMatchObject({
      error: {
        code: 'IMPORT_INVALID',
        details: { line: 4, imported: 2, cause: 'UNIQUE_VIOLATION' },
      },
    });
    const kept = (await text('/v1/database/xfer-dup/export/everything')).body;
    expect(kept.trimEnd().split('\n')).toHaveLength(2);
  });

  it('checks the caller, the table, the format and the limits', async () => {
    const res = await importText('xfer-src', 'jsonl', '', other.token);
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'PERMISSION_DENIED' } } });
    const anon = await http.json('POST', '/v1/database/xfer-src/import/everything', { body: '' });
    expect(anon.status).toBe(401);
    const missing = await http.json('GET', '/v1/database/xfer-src/export/nope');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'TABLE_NOT_FOUND' } } });
    // `item` is private: only its owner may export it.
    const priv = await http.json('GET', '/v1/database/xfer-src/export/item');
    expect(priv.status).toBe(404);
    expect((await text('/v1/database/xfer-src/export/item', owner.token)).status).toBe(200);
    const fmt = await http.json('GET', '/v1/database/xfer-src/export/everything?format=xml');
    expect(fmt).toMatchObject({ status: 400, body: { error: { code: 'INVALID_ARGUMENT' } } });
  });
});
