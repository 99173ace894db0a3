import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { createEngine } from '../../runtime/host/index.js';
import { silentLogger } from '../../runtime/log/index.js';
import { decodeFromBytes } from '../../runtime/protocol/index.js';
import { moduleBytes, ROOT } from '../helpers/modules.js';
import { tempDir } from '../helpers/temp-dir.js';

const CYCLES = process.env['LONG_TESTS'] === '1' ? 50 : 3;

/** Starts the real server as a child process; resolves with its URL. */
async function startServer(dataDir: string) {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'sdk/cli/wasmbase.mjs'),
      'start',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-format',
      'json',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 300; i++) {
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m !== null)
      return { child, url: m[1]!, exited: new Promise(resolve => child.on('exit', resolve)) };
    await new Promise(r => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${out}`);
}

describe('kill -9', () => {
  it(`loses no acknowledged call over ${CYCLES} crash/restart cycles`, async () => {
    const dataDir = tempDir();
    const acked = new Set<string>();
    let first = true;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const server = await startServer(dataDir);
      if (first) {
        const id = (await (
          await fetch(`${server.url}/v1/identity`, { method: 'POST' })
        ).json()) as { token: string };
        const res = await fetch(`${server.url}/v1/database/quickstart`, {
          method: 'POST',
          headers: { authorization: `Bearer ${id.token}` },
          body: moduleBytes('quickstart'),
        });
        expect(res.status).toBe(200);
        first = false;
      }
      // Eight concurrent writers until the process is killed at a random moment.
      let stop = false;
      const writer = async (w: number) => {
        for (let n = 0; !stop && n < 100_000; n++) {
          const name = `c${cycle}-w${w}-${n}`;
          try {
            const res = await fetch(`${server.url}/v1/database/quickstart/call/add`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify([name]),
            });
            if (res.status === 200) acked.add(name);
          } catch {
            return;
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      await new Promise(r => setTimeout(r, 300 + Math.random() * 700));
      server.child.kill('SIGKILL');
      stop = true;
      await server.exited;
      await Promise.all(writers);
    }
    expect(acked.size).toBeGreaterThan(0);
    const engine = await createEngine({
      config: loadConfig({}, {}, { dataDir, workers: 2 }),
      logger: silentLogger,
    });
    try {
      const db = engine.resolve('quickstart')!;
      const person = db.schema.tableByName('person')!;
      const stored = new Set(
        db.read(tx =>
          tx
            .scan(person.id)
            .map(
              r =>
                (
                  decodeFromBytes(
                    { tag: 'Product', elements: person.rowType.elements },
                    r,
                  ) as string[]
                )[0]!,
            ),
        ),
      );
      const lost = [...acked].filter(name => !stored.has(name));
      process.stdout.write(
        `kill -9: ${CYCLES} cycles, ${acked.size} acknowledged calls, ${lost.length} lost, ${stored.size} rows stored\n`,
      );
      expect(lost).toEqual([]);
    } finally {
      await engine.close();
    }
  }, 120_000);
});
