/**
 * @module
 * Every knob of the server in one table: its default, its CLI flag, its environment variable,
 * its validation and its help text. The CLI builds its flags from this table and `loadConfig`
 * builds the one validated, frozen `Config` object the rest of the server reads.
 *
 * Precedence: CLI flag > environment variable > default.
 */
import { WasmbaseError } from './protocol/index.js';
import { LOG_LEVELS, type LogLevel } from './log/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The validated server configuration. */
export interface Config {
  /** Host part of the listen address. */
  readonly host: string;
  /** Port of the listen address; 0 picks a free port. */
  readonly port: number;
  /** Where the system environment, per-database environments and keys live. */
  readonly dataDir: string;
  /** Start-up check of the data directory: read every environment end to end, or skip it. */
  readonly verifyData: 'full' | 'off';
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'pretty';
  /** Worker threads that run WebAssembly reducers. */
  readonly workers: number;
  /** Wall-clock limit for one reducer call, in milliseconds. */
  readonly reducerTimeoutMs: number;
  /** Maximum linear memory of one module instance, in bytes (rounded down to 64 KiB pages). */
  readonly moduleMemoryBytes: number;
  /** Most elements one table of a module may declare (initial and maximum). */
  readonly moduleMaxTableElements: number;
  /** Most functions (imported and defined) a module may declare. */
  readonly moduleMaxFunctions: number;
  /** Most globals (imported and defined) a module may declare. */
  readonly moduleMaxGlobals: number;
  /** Most locals one function of a module may declare. */
  readonly moduleMaxLocals: number;
  /** Most data segments a module may hold. */
  readonly moduleMaxDataSegments: number;
  /** Most bytes all data segments of a module may hold together. */
  readonly moduleMaxDataBytes: number;
  /** Most element segments a module may hold. */
  readonly moduleMaxElementSegments: number;
  /** Most entries all element segments of a module may hold together. */
  readonly moduleMaxElementEntries: number;
  /** Bytes of module instances (memory and tables) one reducer worker keeps cached. */
  readonly workerInstanceBudgetBytes: number;
  /** Most calls executed and committed as one LMDB write transaction. */
  readonly batchMaxCalls: number;
  /** Largest module a publish may upload, in bytes. */
  readonly maxModuleBytes: number;
  /** Largest HTTP request body other than a module, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest SQL text of one request, in bytes. */
  readonly maxSqlBytes: number;
  /** Most rows one SQL statement may return. */
  readonly sqlRowLimit: number;
  /** Largest JSON body of one `/sql` response, in bytes (its rows counted as they are made). */
  readonly sqlMaxResultBytes: number;
  /** Largest result of one WebSocket one-off query, in BSATN row bytes. */
  readonly wsMaxQueryBytes: number;
  /** Largest initial rows of one WebSocket subscribe request, in BSATN row bytes. */
  readonly wsMaxSubscribeBytes: number;
  /** Module log lines kept per database (older ones are dropped). */
  readonly logRetainLines: number;
  /** Size of a database's `module.log` at which it is rotated to `module.log.1`, in bytes. */
  readonly moduleLogMaxBytes: number;
  /** Largest `num_lines` a logs request may ask for. */
  readonly maxLogLines: number;
  /** Most concurrent `follow=true` log streams per database. */
  readonly maxLogFollowers: number;
  /** Largest inbound WebSocket message, in bytes. */
  readonly wsMaxMessageBytes: number;
  /** Outbound bytes buffered for one WebSocket client before it is disconnected. */
  readonly wsMaxBackpressureBytes: number;
  /** Seconds without traffic after which a WebSocket connection is closed (pings keep it alive). */
  readonly wsIdleTimeoutSec: number;
  /** Messages one WebSocket client may have waiting to be handled before it is disconnected. */
  readonly wsMaxQueuedMessages: number;
  /** Reducer calls of one WebSocket client executing at once (later ones wait in its queue). */
  readonly wsMaxInflightCalls: number;
  /** Subscribed queries one WebSocket client may hold. */
  readonly wsMaxSubscriptions: number;
  /** Issuer (`iss`) written into tokens this server mints. */
  readonly issuer: string;
  /** Largest database archive, to download or to publish, in bytes. */
  readonly maxArchiveBytes: number;
  /** Where `POST /v1/database/:name/backup` writes archives ('' = `<data dir>/backups`). */
  readonly backupRoot: string;
  /** Server-side backups kept per database (the oldest beyond are removed). */
  readonly backupKeep: number;
  /** Largest table export and largest import request body, in bytes. */
  readonly maxTransferBytes: number;
  /** Most rows one import request may hold. */
  readonly maxImportRows: number;
  /** Rows per transaction of an import (each is one commit subscribers see). */
  readonly importTxRows: number;
  /** Shortest interval a schedule row runs at, in milliseconds (shorter ones are raised). */
  readonly scheduleMinIntervalMs: number;
  /** Most schedule rows armed per database (later rows wait until others are deleted). */
  readonly scheduleMaxRows: number;
  /** A directory of web files served at `/` (read once at start; '' = none). */
  readonly webDir: string;
  /** Reducer calls per second one identity may make, HTTP and WebSocket together (0 = off). */
  readonly rateLimitCallsPerIdentity: number;
  /** Reducer calls per second from one client address (IPv6: one /64) (0 = off). */
  readonly rateLimitCallsPerIp: number;
  /** Open WebSocket connections one identity may hold (0 = off). */
  readonly maxConnectionsPerIdentity: number;
  /** Open WebSocket connections from one client address (0 = off). */
  readonly maxConnectionsPerIp: number;
  /** New identities one client address may mint per minute (0 = off). */
  readonly rateLimitIdentitiesPerIp: number;
  /** Databases one identity may own (0 = off). */
  readonly maxDatabasesPerIdentity: number;
  /** Loopback peers (127.0.0.0/8, ::1) are not counted by the per-address limits. */
  readonly rateLimitExemptLoopback: boolean;
  /** Most keys (identities, addresses) one rate table tracks. */
  readonly rateLimitMaxKeys: number;
}

interface OptionSpec<K extends keyof Config> {
  readonly key: K;
  /** Long CLI flag without the dashes. */
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  readonly defaultValue: Config[K];
  /** Turns a string from the CLI or environment into a value; throws a message on bad input. */
  readonly parse: (text: string) => Config[K];
  readonly check?: (value: Config[K]) => string | undefined;
}

function int(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text.replaceAll('_', ''));
    if (!Number.isInteger(value)) throw new Error(`expected an integer, got "${text}"`);
    if (value < min || value > max)
      throw new Error(`must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (text: string): T => {
    if ((values as readonly string[]).includes(text)) return text as T;
    throw new Error(`must be one of ${values.join(', ')}, got "${text}"`);
  };
}

const bool = (text: string): boolean => {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new Error(`must be true or false, got "${text}"`);
};

const str = (text: string): string => {
  if (text.length === 0) throw new Error('must not be empty');
  return text;
};

/** The option table. Order is the order of `--help`. */
export const OPTION_SPECS = [
  {
    key: 'host',
    flag: 'host',
    env: 'WASMBASE_HOST',
    help: 'interface to listen on',
    defaultValue: '127.0.0.1',
    parse: str,
  },
  {
    key: 'port',
    flag: 'port',
    env: 'WASMBASE_PORT',
    help: 'port to listen on (0 = any free port)',
    defaultValue: 3000,
    parse: int(0, 65535),
  },
  {
    key: 'dataDir',
    flag: 'data-dir',
    env: 'WASMBASE_DATA_DIR',
    help: 'directory for all data (created if missing)',
    defaultValue: './data',
    parse: str,
  },
  {
    key: 'verifyData',
    flag: 'verify-data',
    env: 'WASMBASE_VERIFY_DATA',
    help:
      'at start, read the whole data directory in a child process and refuse to start if it ' +
      'is damaged (full), or skip the check (off)',
    defaultValue: 'full',
    parse: oneOf(['full', 'off'] as const),
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'WASMBASE_LOG_LEVEL',
    help: 'server log level',
    defaultValue: 'info',
    parse: oneOf(LOG_LEVELS),
  },
  {
    key: 'logFormat',
    flag: 'log-format',
    env: 'WASMBASE_LOG_FORMAT',
    help: 'server log format',
    defaultValue: 'pretty',
    parse: oneOf(['json', 'pretty'] as const),
  },
  {
    key: 'workers',
    flag: 'workers',
    env: 'WASMBASE_WORKERS',
    help: 'worker threads running reducers',
    defaultValue: 2,
    parse: int(1, 256),
  },
  {
    key: 'reducerTimeoutMs',
    flag: 'reducer-timeout-ms',
    env: 'WASMBASE_REDUCER_TIMEOUT_MS',
    help: 'wall-clock limit of one reducer call',
    defaultValue: 1000,
    parse: int(10, 600_000),
  },
  {
    key: 'moduleMemoryBytes',
    flag: 'module-memory-bytes',
    env: 'WASMBASE_MODULE_MEMORY_BYTES',
    help: 'linear memory maximum of a module instance',
    defaultValue: 64 * MiB,
    parse: int(1 * MiB, 4096 * MiB),
  },
  {
    key: 'moduleMaxTableElements',
    flag: 'module-max-table-elements',
    env: 'WASMBASE_MODULE_MAX_TABLE_ELEMENTS',
    help:
      'elements one table of a module may declare, initially and at most ' +
      '(every table must declare its maximum)',
    defaultValue: 100_000,
    parse: int(1, 10_000_000),
  },
  {
    key: 'moduleMaxFunctions',
    flag: 'module-max-functions',
    env: 'WASMBASE_MODULE_MAX_FUNCTIONS',
    help: 'functions a module may declare, imported and defined',
    defaultValue: 100_000,
    parse: int(1, 1_000_000),
  },
  {
    key: 'moduleMaxGlobals',
    flag: 'module-max-globals',
    env: 'WASMBASE_MODULE_MAX_GLOBALS',
    help: 'globals a module may declare, imported and defined',
    defaultValue: 10_000,
    parse: int(1, 1_000_000),
  },
  {
    key: 'moduleMaxLocals',
    flag: 'module-max-locals',
    env: 'WASMBASE_MODULE_MAX_LOCALS',
    help: 'locals one function of a module may declare',
    defaultValue: 10_000,
    parse: int(1, 50_000),
  },
  {
    key: 'moduleMaxDataSegments',
    flag: 'module-max-data-segments',
    env: 'WASMBASE_MODULE_MAX_DATA_SEGMENTS',
    help: 'data segments a module may hold',
    defaultValue: 10_000,
    parse: int(1, 100_000),
  },
  {
    key: 'moduleMaxDataBytes',
    flag: 'module-max-data-bytes',
    env: 'WASMBASE_MODULE_MAX_DATA_BYTES',
    help: 'bytes all data segments of a module may hold together',
    defaultValue: 8 * MiB,
    parse: int(0, 1024 * MiB),
  },
  {
    key: 'moduleMaxElementSegments',
    flag: 'module-max-element-segments',
    env: 'WASMBASE_MODULE_MAX_ELEMENT_SEGMENTS',
    help: 'element segments a module may hold',
    defaultValue: 10_000,
    parse: int(0, 100_000),
  },
  {
    key: 'moduleMaxElementEntries',
    flag: 'module-max-element-entries',
    env: 'WASMBASE_MODULE_MAX_ELEMENT_ENTRIES',
    help: 'entries all element segments of a module may hold together',
    defaultValue: 100_000,
    parse: int(0, 10_000_000),
  },
  {
    key: 'workerInstanceBudgetBytes',
    flag: 'worker-instance-budget-bytes',
    env: 'WASMBASE_WORKER_INSTANCE_BUDGET_BYTES',
    help:
      'bytes of module instances (linear memory and tables) each reducer worker keeps ' +
      'cached; beyond it the least recently used are dropped',
    defaultValue: 256 * MiB,
    parse: int(1 * MiB, 64 * 1024 * MiB),
  },
  {
    key: 'batchMaxCalls',
    flag: 'batch-max-calls',
    env: 'WASMBASE_BATCH_MAX_CALLS',
    help: 'most calls committed in one write transaction',
    defaultValue: 512,
    parse: int(1, 65536),
  },
  {
    key: 'maxModuleBytes',
    flag: 'max-module-bytes',
    env: 'WASMBASE_MAX_MODULE_BYTES',
    help: 'largest module upload',
    defaultValue: 16 * MiB,
    parse: int(1 * KiB, 1024 * MiB),
  },
  {
    key: 'maxBodyBytes',
    flag: 'max-body-bytes',
    env: 'WASMBASE_MAX_BODY_BYTES',
    help: 'largest request body (other than modules)',
    defaultValue: 1 * MiB,
    parse: int(64, 256 * MiB),
  },
  {
    key: 'maxSqlBytes',
    flag: 'max-sql-bytes',
    env: 'WASMBASE_MAX_SQL_BYTES',
    help: 'largest SQL text of one request',
    defaultValue: 64 * KiB,
    parse: int(16, 16 * MiB),
  },
  {
    key: 'sqlRowLimit',
    flag: 'sql-row-limit',
    env: 'WASMBASE_SQL_ROW_LIMIT',
    help: 'most rows one SQL statement may return',
    defaultValue: 100_000,
    parse: int(1, 100_000_000),
  },
  {
    key: 'sqlMaxResultBytes',
    flag: 'sql-max-result-bytes',
    env: 'WASMBASE_SQL_MAX_RESULT_BYTES',
    help: 'largest JSON response of one /sql request (RESULT_TOO_LARGE, 413, beyond)',
    defaultValue: 64 * MiB,
    parse: int(1 * KiB, 2048 * MiB),
  },
  {
    key: 'wsMaxQueryBytes',
    flag: 'ws-max-query-bytes',
    env: 'WASMBASE_WS_MAX_QUERY_BYTES',
    help: 'largest WebSocket one-off query result, in BSATN row bytes',
    defaultValue: 64 * MiB,
    parse: int(1 * KiB, 2048 * MiB),
  },
  {
    key: 'wsMaxSubscribeBytes',
    flag: 'ws-max-subscribe-bytes',
    env: 'WASMBASE_WS_MAX_SUBSCRIBE_BYTES',
    help: 'largest initial rows of one WebSocket subscribe request, in BSATN row bytes',
    defaultValue: 64 * MiB,
    parse: int(1 * KiB, 2048 * MiB),
  },
  {
    key: 'logRetainLines',
    flag: 'log-retain-lines',
    env: 'WASMBASE_LOG_RETAIN_LINES',
    help: 'module log lines kept per database',
    defaultValue: 10_000,
    parse: int(10, 10_000_000),
  },
  {
    key: 'moduleLogMaxBytes',
    flag: 'module-log-max-bytes',
    env: 'WASMBASE_MODULE_LOG_MAX_BYTES',
    help: 'size at which module.log is rotated to module.log.1 (one old file is kept)',
    defaultValue: 64 * MiB,
    parse: int(4 * KiB, 64 * 1024 * MiB),
  },
  {
    key: 'maxLogLines',
    flag: 'max-log-lines',
    env: 'WASMBASE_MAX_LOG_LINES',
    help: 'largest num_lines of a logs request',
    defaultValue: 10_000,
    parse: int(1, 10_000_000),
  },
  {
    key: 'maxLogFollowers',
    flag: 'max-log-followers',
    env: 'WASMBASE_MAX_LOG_FOLLOWERS',
    help: 'concurrent log streams per database',
    defaultValue: 32,
    parse: int(1, 10_000),
  },
  {
    key: 'wsMaxMessageBytes',
    flag: 'ws-max-message-bytes',
    env: 'WASMBASE_WS_MAX_MESSAGE_BYTES',
    help: 'largest inbound WebSocket message',
    defaultValue: 1 * MiB,
    parse: int(1 * KiB, 256 * MiB),
  },
  {
    key: 'wsMaxBackpressureBytes',
    flag: 'ws-max-backpressure-bytes',
    env: 'WASMBASE_WS_MAX_BACKPRESSURE_BYTES',
    help: 'outbound bytes buffered per WebSocket client before disconnect',
    defaultValue: 16 * MiB,
    parse: int(64 * KiB, 1024 * MiB),
  },
  {
    key: 'wsIdleTimeoutSec',
    flag: 'ws-idle-timeout-sec',
    env: 'WASMBASE_WS_IDLE_TIMEOUT_SEC',
    help: 'idle WebSocket timeout (pings keep connections alive)',
    defaultValue: 120,
    parse: int(8, 960),
  },
  {
    key: 'wsMaxQueuedMessages',
    flag: 'ws-max-queued-messages',
    env: 'WASMBASE_WS_MAX_QUEUED_MESSAGES',
    help: 'messages a WebSocket client may have waiting before disconnect',
    defaultValue: 16_384,
    parse: int(16, 1_000_000),
  },
  {
    key: 'wsMaxInflightCalls',
    flag: 'ws-max-inflight-calls',
    env: 'WASMBASE_WS_MAX_INFLIGHT_CALLS',
    help: 'reducer calls of one WebSocket client executing at once',
    defaultValue: 1024,
    parse: int(1, 65_536),
  },
  {
    key: 'wsMaxSubscriptions',
    flag: 'ws-max-subscriptions',
    env: 'WASMBASE_WS_MAX_SUBSCRIPTIONS',
    help: 'subscribed queries one WebSocket client may hold',
    defaultValue: 1024,
    parse: int(1, 1_000_000),
  },
  {
    key: 'issuer',
    flag: 'issuer',
    env: 'WASMBASE_ISSUER',
    help: 'issuer (iss) of tokens this server mints',
    defaultValue: 'wasmbase://localhost',
    parse: str,
  },
  {
    key: 'maxArchiveBytes',
    flag: 'max-archive-bytes',
    env: 'WASMBASE_MAX_ARCHIVE_BYTES',
    help: 'largest database archive to download or publish',
    defaultValue: 256 * MiB,
    parse: int(64 * KiB, 16 * 1024 * MiB),
  },
  {
    key: 'backupRoot',
    flag: 'backup-root',
    env: 'WASMBASE_BACKUP_ROOT',
    help: "directory for server-side backups ('' = <data-dir>/backups)",
    defaultValue: '',
    parse: (text: string) => text,
  },
  {
    key: 'backupKeep',
    flag: 'backup-keep',
    env: 'WASMBASE_BACKUP_KEEP',
    help: 'server-side backups kept per database (older ones are removed)',
    defaultValue: 5,
    parse: int(1, 1000),
  },
  {
    key: 'maxTransferBytes',
    flag: 'max-transfer-bytes',
    env: 'WASMBASE_MAX_TRANSFER_BYTES',
    help: 'largest table export, and largest import request body',
    defaultValue: 64 * MiB,
    parse: int(1 * KiB, 1024 * MiB),
  },
  {
    key: 'maxImportRows',
    flag: 'max-import-rows',
    env: 'WASMBASE_MAX_IMPORT_ROWS',
    help: 'most rows one import request may hold',
    defaultValue: 100_000,
    parse: int(1, 10_000_000),
  },
  {
    key: 'importTxRows',
    flag: 'import-tx-rows',
    env: 'WASMBASE_IMPORT_TX_ROWS',
    help: 'rows per transaction of an import',
    defaultValue: 1000,
    parse: int(1, 100_000),
  },
  {
    key: 'scheduleMinIntervalMs',
    flag: 'schedule-min-interval-ms',
    env: 'WASMBASE_SCHEDULE_MIN_INTERVAL_MS',
    help: 'shortest interval of a scheduled reducer (shorter intervals run at this one)',
    defaultValue: 10,
    parse: int(1, 86_400_000),
  },
  {
    key: 'scheduleMaxRows',
    flag: 'schedule-max-rows',
    env: 'WASMBASE_SCHEDULE_MAX_ROWS',
    help: 'most schedule rows armed per database',
    defaultValue: 100_000,
    parse: int(1, 10_000_000),
  },
  {
    key: 'webDir',
    flag: 'web-dir',
    env: 'WASMBASE_WEB_DIR',
    help: "serve this directory's files at / (index.html at /; read once at start; '' = none)",
    defaultValue: '',
    parse: (text: string) => text,
  },
  {
    key: 'rateLimitCallsPerIdentity',
    flag: 'rate-limit-calls-per-identity',
    env: 'WASMBASE_RATE_LIMIT_CALLS_PER_IDENTITY',
    help: 'reducer calls per second one identity may make, HTTP and WebSocket (0 = off)',
    defaultValue: 10_000,
    parse: int(0, 100_000_000),
  },
  {
    key: 'rateLimitCallsPerIp',
    flag: 'rate-limit-calls-per-ip',
    env: 'WASMBASE_RATE_LIMIT_CALLS_PER_IP',
    help: 'reducer calls per second from one client address, IPv6 by /64 (0 = off)',
    defaultValue: 20_000,
    parse: int(0, 100_000_000),
  },
  {
    key: 'maxConnectionsPerIdentity',
    flag: 'max-connections-per-identity',
    env: 'WASMBASE_MAX_CONNECTIONS_PER_IDENTITY',
    help: 'open WebSocket connections one identity may hold (0 = off)',
    defaultValue: 1024,
    parse: int(0, 10_000_000),
  },
  {
    key: 'maxConnectionsPerIp',
    flag: 'max-connections-per-ip',
    env: 'WASMBASE_MAX_CONNECTIONS_PER_IP',
    help: 'open WebSocket connections from one client address (0 = off)',
    defaultValue: 2048,
    parse: int(0, 10_000_000),
  },
  {
    key: 'rateLimitIdentitiesPerIp',
    flag: 'rate-limit-identities-per-ip',
    env: 'WASMBASE_RATE_LIMIT_IDENTITIES_PER_IP',
    help:
      'new identities per minute one client address may mint (POST /v1/identity, calls and ' +
      'connections without a token) (0 = off)',
    defaultValue: 600,
    parse: int(0, 100_000_000),
  },
  {
    key: 'maxDatabasesPerIdentity',
    flag: 'max-databases-per-identity',
    env: 'WASMBASE_MAX_DATABASES_PER_IDENTITY',
    help: 'databases one identity may own (publishing a new one beyond is refused) (0 = off)',
    defaultValue: 1000,
    parse: int(0, 100_000_000),
  },
  {
    key: 'rateLimitExemptLoopback',
    flag: 'rate-limit-exempt-loopback',
    env: 'WASMBASE_RATE_LIMIT_EXEMPT_LOOPBACK',
    help:
      'true: the per-address limits do not count loopback peers (127.0.0.0/8, ::1); the ' +
      'per-identity limits still apply',
    defaultValue: true,
    parse: bool,
  },
  {
    key: 'rateLimitMaxKeys',
    flag: 'rate-limit-max-keys',
    env: 'WASMBASE_RATE_LIMIT_MAX_KEYS',
    help: 'most identities or addresses one rate-limit table tracks (idle ones expire first)',
    defaultValue: 100_000,
    parse: int(16, 100_000_000),
  },
] as const satisfies readonly OptionSpec<keyof Config>[];

/** The defaults as one object. */
export const DEFAULT_CONFIG: Config = Object.freeze(
  Object.fromEntries(OPTION_SPECS.map(spec => [spec.key, spec.defaultValue])) as unknown as Config,
);

/** Raw option values as strings, keyed by `Config` key (from CLI flags). */
export type RawOptions = Partial<Record<keyof Config, string>>;

/**
 * Builds the validated config from CLI values, the environment and the defaults. A bad value
 * throws `INVALID_ARGUMENT` naming the flag, the environment variable and what is allowed.
 */
export function loadConfig(
  cli: RawOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
): Config {
  const out: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const fromCli = cli[spec.key];
    const fromEnv = env[spec.env];
    const source = fromCli !== undefined ? `--${spec.flag}` : `${spec.env}`;
    const text = fromCli ?? fromEnv;
    if (text === undefined) {
      out[spec.key] = spec.defaultValue;
      continue;
    }
    try {
      out[spec.key] = spec.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new WasmbaseError('INVALID_ARGUMENT', `invalid ${source}: ${why}`, {
        option: spec.flag,
        env: spec.env,
      });
    }
  }
  return Object.freeze({ ...(out as unknown as Config), ...overrides });
}

/** Splits `host:port` (as given to `--listen`) into its parts. */
export function parseListen(text: string): { host: string; port: string } {
  const at = text.lastIndexOf(':');
  if (at <= 0 || at === text.length - 1) {
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `invalid --listen "${text}": expected host:port, e.g. 127.0.0.1:3000`,
      { option: 'listen' },
    );
  }
  return { host: text.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: text.slice(at + 1) };
}
