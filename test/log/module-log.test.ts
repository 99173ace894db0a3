/** Module-log rotation by size (`--module-log-max-bytes`). */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { ModuleLog } from '../../runtime/log/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const entry = (i: number) => ({
  ts: BigInt(1_700_000_000_000_000 + i),
  level: 'info' as const,
  reducer: 'r',
  caller: undefined,
  message: `message number ${i} `.padEnd(60, '.'),
});

describe('module log rotation', () => {
  it('rotates module.log to module.log.1 at the cap and keeps the tail across reopen', () => {
    const file = path.join(tempDir(), 'module.log');
    const cap = 4096;
    const log = new ModuleLog(file, 1000, cap);
    for (let i = 0; i < 500; i++) log.append(entry(i));
    log.close();
    expect(statSync(file).size).toBeLessThanOrEqual(cap);
    expect(statSync(file + '.1').size).toBeLessThanOrEqual(cap);
    expect(statSync(file + '.1').size).toBeGreaterThan(cap / 2);
    const last = readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ message: entry(499).message });

    const reopened = new ModuleLog(file, 1000, cap);
    const tail = reopened.tail(1000);
    const kept =
      readFileSync(file + '.1', 'utf8')
        .trimEnd()
        .split('\n').length + readFileSync(file, 'utf8').trimEnd().split('\n').length;
    expect(tail).toHaveLength(kept);
    expect(tail.map(e => Number(e.ts % 1000n))).toEqual(
      Array.from({ length: kept }, (_, i) => 500 - kept + i),
    );
    reopened.close();
  });

  it('is set by --module-log-max-bytes / WASMBASE_MODULE_LOG_MAX_BYTES, with bounds', () => {
    expect(loadConfig({ moduleLogMaxBytes: '8192' }, {}).moduleLogMaxBytes).toBe(8192);
    expect(loadConfig({}, { WASMBASE_MODULE_LOG_MAX_BYTES: '1_048_576' }).moduleLogMaxBytes).toBe(
      1_048_576,
    );
    expect(() => loadConfig({ moduleLogMaxBytes: '10' }, {})).toThrow(/module-log-max-bytes/);
  });
});
