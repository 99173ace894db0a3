/**
 * @module
 * The node-pg target: a PostgreSQL cluster started by the harness (pg-cluster.ts) and, per run,
 * a freshly seeded `accounts` table and a node-pg server child (node-pg-server.ts).
 */
import pg from 'pg';
import { startChildServer } from './child-server.js';
import { compiledScript } from './compiled-script.js';
import { startPgCluster, type PgCluster } from './pg-cluster.js';
import { balancesById, type Target } from './target.js';

export interface NodePgOptions {
  readonly binDir: string;
  /** Connections in the server's pg.Pool. */
  readonly poolSize: number;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function nodePgTarget(
  options: NodePgOptions,
): Target & { postgresVersion(): string | undefined } {
  let cluster: PgCluster | undefined;
  let version: string | undefined;
  return {
    name: 'node-pg',
    protocols: [],
    description:
      `Node + ws + pg.Pool(${options.poolSize}) → PostgreSQL (fsync=on, synchronous_commit=on, ` +
      'read committed); transfer = BEGIN; SELECT … ORDER BY id FOR UPDATE; 2 UPDATEs; COMMIT',
    postgresVersion: () => version,
    async start(setup) {
      if (cluster === undefined) {
        setup.say('  node-pg: starting PostgreSQL (initdb + pg_ctl in a temp dir)…');
        cluster = await startPgCluster({ binDir: options.binDir });
        version = cluster.version;
        setup.say(`  node-pg: ${cluster.version} on 127.0.0.1:${cluster.port}`);
      }
      const url = cluster.url;
      await withClient(url, async c => {
        await c.query('DROP TABLE IF EXISTS accounts');
        await c.query('CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL)');
        await c.query(
          'INSERT INTO accounts (id, balance) ' +
            'SELECT g, $2::bigint FROM generate_series(0, $1::int - 1) AS g',
          [setup.accounts, String(setup.initial)],
        );
        await c.query('VACUUM ANALYZE accounts');
        await c.query('CHECKPOINT');
      });
      const server = await startChildServer({
        name: 'node-pg server',
        script: compiledScript('node-pg-server'),
        args: ['--pg', url, '--pool', String(options.poolSize)],
        readyPattern: /listening (\d+)/,
      });
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
            throw new Error(`the node-pg server exited with ${code}:\n${server.output()}`);
          return withClient(url, async c => {
            const { rows } = await c.query<{ id: number; balance: string }>(
              'SELECT id, balance FROM accounts',
            );
            return balancesById(
              rows.map(r => [r.id, BigInt(r.balance)] as const),
              rows.length,
            );
          });
        },
        output: () => server.output(),
        async abort() {
          await server.stop(2_000);
        },
      };
    },
    async close() {
      await cluster?.stop();
      cluster = undefined;
    },
  };
}
