/**
 * Database archives and server-side backups over HTTP: an archive publishes back as a new
 * database with the same data; damaged or truncated archives are refused with ARCHIVE_INVALID;
 * a backup taken during a write load holds every acknowledged row and no partial state.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArchive, readArchive } from '../../runtime/store/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer({ backupKeep: 2 });
const http = client(server);
const owner = await http.newIdentity();
const other = await http.newIdentity();

async function call(db: string, reducer: string, args: unknown[] = []): Promise<number> {
  const res = await http.request('POST', `/v1/database/${db}/call/${reducer}`, {
    token: owner.token,
    body: JSON.stringify(args),
    contentType: 'application/json',
  });
  await res.arrayBuffer();
  return res.status;
}

async function exported(db: string, table: string): Promise<string> {
  const res = await http.request('GET', `/v1/database/${db}/export/${table}`, {
    token: owner.token,
  });
  return res.text();
}

async function publishArchive(name: string, body: Uint8Array, token = owner.token) {
  return http.json('POST', `/v1/database/${name}/archive`, { token, body });
}

describe('database archives', () => {
  let archive: Uint8Array;

  it('downloads an archive (owner only) and publishes it back as a new database', async () => {
    const pub = await http.json('POST', '/v1/database/arch-src', {
      token: owner.token,
      body: moduleBytes('fixtures/edge'),
    });
    expect(pub.status).toBe(200);
    for (let i = 0; i < 3; i++) expect(await call('arch-src', 'put_constants')).toBe(200);
    expect(await call('arch-src', 'add_item', ['a', 1])).toBe(200);

    const denied = await http.json('GET', '/v1/database/arch-src/archive', { token: other.token });
    expect(denied).toMatchObject({ status: 401, body: { error: { code: 'PERMISSION_DENIED' } } });
    const res = await http.request('GET', '/v1/database/arch-src/archive', { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    archive = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(archive.subarray(0, 8)).toString()).toBe('WBARCH01');

    const copy = await publishArchive('arch-copy', archive);
    expect(copy).toMatchObject({ status: 200, body: { Success: { op: 'created' } } });
    for (const table of ['everything', 'item'])
      expect(await exported('arch-copy', table)).toBe(await exported('arch-src', table));
    // The copy is a live database: its sequences continue after the archived rows.
    expect(await call('arch-copy', 'put_constants')).toBe(200);
    expect((await exported('arch-copy', 'everything')).trimEnd().split('\n')).toHaveLength(4);
    const taken = await publishArchive('arch-copy', archive);
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'NAME_TAKEN' } } });
  });

  it('refuses truncated, corrupted and foreign archives with ARCHIVE_INVALID', async () => {
    const flipped = archive.slice();
    flipped[Math.floor(flipped.length / 2)]! ^= 0x40;
    const bad = [
      archive.subarray(0, archive.length - 1),
      archive.subarray(0, 100),
      flipped,
      new TextEncoder().encode('not an archive at all, just some text of some length'),
      new Uint8Array(0),
    ];
    for (const [i, body] of bad.entries()) {
      const res = await publishArchive(`arch-bad-${i}`, body);
      expect(res, `case ${i}`).toMatchObject({
        status: 400,
        body: { error: { code: 'ARCHIVE_INVALID' } },
      });
      expect(server.engine.resolve(`arch-bad-${i}`)).toBeUndefined();
    }
  });
});

/** The archive rebuilt around a damaged snapshot, with every hash recomputed (crafted). */
function craftedArchive(archive: Uint8Array, damage: (snapshot: Uint8Array) => Uint8Array) {
  const parts = readArchive(archive);
  const snapshot = damage(parts.snapshot.slice());
  return buildArchive(parts.manifest.database, parts.module, snapshot, 1 << 30);
}

describe('crafted archives', () => {
  it('refuses a well-formed archive whose snapshot LMDB cannot read, and keeps serving', async () => {
    const source = await http.request('GET', '/v1/database/arch-src/archive', {
      token: owner.token,
    });
    const archive = new Uint8Array(await source.arrayBuffer());
    const page = 4096;
    const damages: Array<[string, (s: Uint8Array) => Uint8Array]> = [
      ['zeroed meta pages', s => (s.fill(0, 0, 2 * page), s)],
      ['garbage tree pages', s => (s.fill(0xa5, 2 * page), s)],
      ['truncated', s => s.subarray(0, page + 100)],
    ];
    for (const [i, [what, damage]] of damages.entries()) {
      const res = await publishArchive(`arch-crafted-${i}`, craftedArchive(archive, damage));
      expect(res, what).toMatchObject({
        status: 400,
        body: { error: { code: 'ARCHIVE_INVALID' } },
      });
      expect(JSON.stringify(res.body)).not.toContain(server.config.dataDir);
      expect(server.engine.resolve(`arch-crafted-${i}`)).toBeUndefined();
      expect((await http.request('GET', '/v1/ping')).status).toBe(200);
    }
    expect(await call('arch-src', 'put_constants')).toBe(200);
  });
});

describe('server-side backup route', () => {
  it('backs up during a write load: every acknowledged row is in it, nothing partial', async () => {
    const before = await Promise.all(
      Array.from({ length: 20 }, () => call('arch-src', 'put_constants')),
    );
    expect(before.every(s => s === 200)).toBe(true);
    const acknowledged = (await exported('arch-src', 'everything')).trimEnd().split('\n');
    const load = Promise.all(Array.from({ length: 40 }, () => call('arch-src', 'put_constants')));
    const res = await http.json('POST', '/v1/database/arch-src/backup', { token: owner.token });
    await load;
    expect(res.status).toBe(200);
    const backup = res.body as { file: string; bytes: number; sha256: string };
    const file = path.join(server.config.dataDir, 'backups', backup.file);
    expect(existsSync(file)).toBe(true);

    const restored = await publishArchive('arch-restored', new Uint8Array(readFileSync(file)));
    expect(restored.status).toBe(200);
    const rows = (await exported('arch-restored', 'everything')).trimEnd().split('\n');
    expect(rows.slice(0, acknowledged.length)).toEqual(acknowledged);
    // Whole transactions only: the ids are 1..n without a gap.
    const ids = rows.map(r => (JSON.parse(r) as { id: number }).id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  });

  it('is owner only, and keeps the newest --backup-keep files', async () => {
    const denied = await http.json('POST', '/v1/database/arch-src/backup', { token: other.token });
    expect(denied.status).toBe(401);
    for (let i = 0; i < 3; i++) {
      const res = await http.json('POST', '/v1/database/arch-src/backup', { token: owner.token });
      expect(res.status).toBe(200);
    }
    const list = await http.json('GET', '/v1/database/arch-src/backup', { token: owner.token });
    expect((list.body as { backups: string[] }).backups).toHaveLength(2);
  });
});
