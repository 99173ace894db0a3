/**
 * @module
 * A throwaway PostgreSQL cluster for the node-pg target: `initdb` into a temp dir, `pg_ctl start`
 * on a free 127.0.0.1 port with durable commits (`fsync=on`, `synchronous_commit=on`), and
 * `pg_ctl stop` + removal afterwards — also at exit and on Ctrl-C (see cleanup.ts). PostgreSQL
 * refuses to run as root, so as root the cluster belongs to the `postgres` user (else `nobody`)
 * and every command runs through `runuser`. Nothing is installed here: when the binaries are
 * missing, `findPostgres` says how to install them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onExit } from './cleanup.js';

const BINARIES = ['initdb', 'pg_ctl', 'postgres'] as const;

export const POSTGRES_INSTALL_HINT =
  'PostgreSQL is not installed (initdb, pg_ctl and postgres were not found in ' +
  '$WASMBASE_PG_BIN, /usr/local/bin, /usr/lib/postgresql/*/bin or $PATH). ' +
  'Install it with "sudo apt-get install postgresql" (Debian/Ubuntu), or point ' +
  'WASMBASE_PG_BIN at the folder that holds initdb, pg_ctl and postgres.';

export type PostgresLookup =
  | { readonly found: true; readonly binDir: string }
  | { readonly found: false; readonly reason: string };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasAll(dir: string): boolean {
  return BINARIES.every(b => isExecutable(path.join(dir, b)));
}

/** Where initdb, pg_ctl and postgres are, or why they are not. */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresLookup {
  const candidates: string[] = [];
  if (env['WASMBASE_PG_BIN'] !== undefined) candidates.push(env['WASMBASE_PG_BIN']);
  candidates.push('/usr/local/bin');
  if (existsSync('/usr/lib/postgresql')) {
    // Newest major version first.
    const versions = readdirSync('/usr/lib/postgresql')
      .filter(v => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map(v => `/usr/lib/postgresql/${v}/bin`));
  }
  candidates.push(...(env['PATH'] ?? '').split(path.delimiter).filter(p => p !== ''));
  for (const dir of candidates) if (hasAll(dir)) return { found: true, binDir: dir };
  return { found: false, reason: POSTGRES_INSTALL_HINT };
}

interface RunAs {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

/** The unprivileged account the cluster runs as when we are root; undefined when we are not. */
function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { user, uid, gid };
    } catch {
      // No such user; try the next.
    }
  }
  throw new Error(
    'running as root, but neither a "postgres" nor a "nobody" user exists to run PostgreSQL ' +
      'as (initdb refuses root)',
  );
}

function commandFor(
  runAs: RunAs | undefined,
  file: string,
  args: readonly string[],
): [string, string[]] {
  if (runAs === undefined) return [file, [...args]];
  return ['runuser', ['-u', runAs.user, '--', file, ...args]];
}

function run(
  runAs: RunAs | undefined,
  cwd: string,
  file: string,
  args: readonly string[],
  timeoutMs: number,
): void {
  const [cmd, argv] = commandFor(runAs, file, args);
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', timeout: timeoutMs });
  if (r.error !== undefined)
    throw new Error(`${path.basename(file)} could not run: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(
      `${path.basename(file)} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`,
    );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  /** Connection string of the superuser `bench` on database `postgres`. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** What `postgres --version` prints. */
  readonly version: string;
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  readonly binDir: string;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** The settings every run uses: durable commits, TCP on loopback only, enough connections. */
export const PG_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  listen_addresses: '127.0.0.1',
  max_connections: '200',
};

export async function startPgCluster(options: PgClusterOptions): Promise<PgCluster> {
  const runAs = unprivilegedUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmbase-keynote-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const bin = (name: string) => path.join(options.binDir, name);
  let started = false;
  const stopSync = (mode: 'fast' | 'immediate') => {
    if (started) {
      started = false;
      try {
        run(runAs, dir, bin('pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '30', 'stop'], 40_000);
      } catch {
        // Already stopped, or it died; the directory goes anyway.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const forget = onExit(() => stopSync('immediate'));
  try {
    if (runAs !== undefined) chownSync(dir, runAs.uid, runAs.gid);
    run(
      runAs,
      dir,
      bin('initdb'),
      ['-D', data, '-U', 'bench', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      120_000,
    );
    const port = await freePort();
    const settings = {
      ...PG_SETTINGS,
      ...options.settings,
      port: String(port),
      unix_socket_directories: dir,
    };
    const serverArgs = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    started = true;
    run(
      runAs,
      dir,
      bin('pg_ctl'),
      ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', serverArgs, 'start'],
      90_000,
    );
    const version = execFileSync(bin('postgres'), ['--version'], { encoding: 'utf8' }).trim();
    return {
      url: `postgres://bench@127.0.0.1:${port}/postgres`,
      port,
      dir,
      version,
      async stop() {
        forget();
        stopSync('fast');
      },
    };
  } catch (err) {
    let log = '';
    try {
      log = readFileSync(logFile, 'utf8').slice(-4000);
    } catch {
      // No log yet.
    }
    forget();
    stopSync('immediate');
    throw new Error(
      `PostgreSQL did not start: ${err instanceof Error ? err.message : String(err)}` +
        (log === '' ? '' : `\n--- postgres.log ---\n${log}`),
      { cause: err },
    );
  }
}
