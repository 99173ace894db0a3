import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findPostgres,
  freePort,
  POSTGRES_INSTALL_HINT,
} from '../../../bench/keynote/pg-cluster.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('PostgreSQL lookup', () => {
  const complete = tempDir('wasmbase-pgbin-');
  const partial = tempDir('wasmbase-pgbin-');

  it('prefers $WASMBASE_PG_BIN when it holds initdb, pg_ctl and postgres', () => {
    const dir = complete;
    for (const name of ['initdb', 'pg_ctl', 'postgres']) {
      writeFileSync(path.join(dir, name), '#!/bin/sh\n');
      chmodSync(path.join(dir, name), 0o755);
    }
    expect(findPostgres({ WASMBASE_PG_BIN: dir, PATH: '' })).toEqual({ found: true, binDir: dir });
  });

  it('skips a folder that lacks one of the binaries', () => {
    const dir = partial;
    writeFileSync(path.join(dir, 'initdb'), '#!/bin/sh\n');
    chmodSync(path.join(dir, 'initdb'), 0o755);
    const found = findPostgres({ WASMBASE_PG_BIN: dir, PATH: '' });
    if (found.found) expect(found.binDir).not.toBe(dir);
    else expect(found.reason).toBe(POSTGRES_INSTALL_HINT);
  });

  it('says how to install PostgreSQL', () => {
    expect(POSTGRES_INSTALL_HINT).toContain('apt-get install postgresql');
    expect(POSTGRES_INSTALL_HINT).toContain('WASMBASE_PG_BIN');
  });

  it('finds a free loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
  });
});
