/**
 * @module
 * The lmdb-raw target: the storage ceiling (lmdb-raw-store.ts) served by a child process over the
 * same WebSocket protocol and server as node-pg, so the network and framing cost is the same for
 * both. Balances are read back from the environment on disk after the server has stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startChildServer } from './child-server.js';
import { compiledScript } from './compiled-script.js';
import { openRawStore } from './lmdb-raw-store.js';
import type { Target } from './target.js';

export function lmdbRawTarget(): Target {
  return {
    name: 'lmdb-raw',
    protocols: [],
    description:
      'plain lmdb-js: 2 gets + 2 puts per transfer, one synchronous write transaction per ' +
      'batch, answered after env.flushed; served by a ws server in a child process',
    async start(setup) {
      const dir = mkdtempSync(path.join(setup.tempDir, 'lmdb-raw-'));
      const server = await startChildServer({
        name: 'lmdb-raw server',
        script: compiledScript('lmdb-raw-server'),
        args: [
          '--dir',
          dir,
          '--accounts',
          String(setup.accounts),
          '--initial',
          String(setup.initial),
          '--batch',
          String(setup.batchMaxCalls),
        ],
        readyPattern: /listening (\d+)/,
      });
      const remove = () => rmSync(dir, { recursive: true, force: true });
      return {
        connection: {
          kind: 'ws',
          url: `ws://127.0.0.1:${server.ready[1]}`,
          codec: 'simple',
          headers: {},
        },
        async finish() {
          const code = await server.stop();
          if (code !== 0)
            throw new Error(`the lmdb-raw server exited with ${code}:\n${server.output()}`);
          const store = await openRawStore(dir, { batchMaxCalls: setup.batchMaxCalls });
          try {
            return store.balances();
          } finally {
            await store.close();
            remove();
          }
        },
        output: () => server.output(),
        async abort() {
          await server.stop(2_000);
          remove();
        },
      };
    },
    async close() {},
  };
}
