/**
 * @module
 * A database's module log: what its reducers wrote with `log.*`, plus failed calls and traps.
 * Records are appended to `<database dir>/module.log` (one JSON object per line) and the most
 * recent ones are kept in memory for `tail`; `follow` delivers new records as they arrive.
 * Caller-controlled text (message, reducer, caller) is stored and shown with its control
 * characters escaped, so no output (file, tail, follow, text or JSON) can carry a forged line.
 *
 * The file is rotated by size: an append that would take it past `maxBytes` first renames it to
 * `module.log.1` (replacing the previous one), so a database's log never holds more than about
 * twice the cap on disk. On open the tail is refilled from `module.log.1`, then `module.log`.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { escapeControlChars } from './escape.js';

const escapeOptional = (text: string | undefined) =>
  text === undefined ? undefined : escapeControlChars(text);

/** `entry` with its caller-controlled text escaped. */
function escapedEntry(entry: ModuleLogEntry): ModuleLogEntry {
  return {
    ts: entry.ts,
    level: entry.level,
    reducer: escapeOptional(entry.reducer),
    caller: escapeOptional(entry.caller),
    message: escapeControlChars(entry.message),
  };
}

const LEVEL_NAMES = ['error', 'warn', 'info', 'debug', 'trace', 'panic'] as const;

export type ModuleLogLevel = (typeof LEVEL_NAMES)[number];

/**
 * The level numbers of the ABI's `log_write`, by level (`panic` is what the SDK's abort handler
 * writes). `sdk/assembly/abi-constants.ts` is generated from this table (by
 * `sdk/assembly/build.mjs`) and test/sdk/abi-tables.test.ts diffs the two.
 */
export const MODULE_LOG_LEVELS: Readonly<Record<ModuleLogLevel, number>> = {
  error: 0,
  warn: 1,
  info: 2,
  debug: 3,
  trace: 4,
  panic: 101,
};

export interface ModuleLogEntry {
  /** Microseconds since the Unix epoch. */
  readonly ts: bigint;
  readonly level: ModuleLogLevel;
  readonly reducer: string | undefined;
  readonly caller: string | undefined;
  readonly message: string;
}

const LEVEL_BY_NUMBER: ReadonlyMap<number, ModuleLogLevel> = new Map(
  LEVEL_NAMES.map(level => [MODULE_LOG_LEVELS[level], level]),
);

/** The level of an ABI `log_write` level number (unknown numbers read as info). */
export function moduleLogLevel(n: number): ModuleLogLevel {
  return LEVEL_BY_NUMBER.get(n) ?? 'info';
}

/** Bytes of the file's end read back on open to refill the in-memory tail. */
const RELOAD_BYTES = 4 * 1024 * 1024;

export class ModuleLog {
  readonly #path: string;
  readonly #retain: number;
  readonly #ring: ModuleLogEntry[] = [];
  readonly #followers = new Set<(e: ModuleLogEntry) => void>();
  readonly #maxBytes: number;
  #fd: number | undefined;
  #size = 0;

  /** `maxBytes` caps `module.log`; beyond it the file is rotated to `module.log.1`. */
  constructor(path: string, retainLines: number, maxBytes = Number.POSITIVE_INFINITY) {
    this.#path = path;
    this.#retain = retainLines;
    this.#maxBytes = maxBytes;
    this.#reload(path + '.1');
    this.#reload(path);
    if (this.#ring.length > this.#retain) this.#ring.splice(0, this.#ring.length - this.#retain);
    this.#size = existsSync(path) ? statSync(path).size : 0;
  }

  #reload(file: string): void {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    const start = Math.max(0, size - RELOAD_BYTES);
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n');
      if (start > 0) lines.shift();
      for (const line of lines.slice(-this.#retain)) {
        if (line.trim() === '') continue;
        try {
          const j = JSON.parse(line) as {
            ts: string;
            level: ModuleLogLevel;
            reducer?: string;
            caller?: string;
            message: string;
          };
          // Escaped again: files written before escaping existed may hold raw controls.
          this.#ring.push(
            escapedEntry({
              ts: BigInt(j.ts),
              level: j.level,
              reducer: j.reducer,
              caller: j.caller,
              message: j.message,
            }),
          );
        } catch {
          // A torn last line after a crash: skip it.
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  append(raw: ModuleLogEntry): void {
    const entry = escapedEntry(raw);
    this.#ring.push(entry);
    if (this.#ring.length > this.#retain) this.#ring.splice(0, this.#ring.length - this.#retain);
    const line =
      JSON.stringify({
        ts: entry.ts.toString(),
        level: entry.level,
        reducer: entry.reducer,
        caller: entry.caller,
        message: entry.message,
      }) + '\n';
    const bytes = Buffer.byteLength(line);
    if (this.#size > 0 && this.#size + bytes > this.#maxBytes) this.#rotate();
    this.#fd ??= openSync(this.#path, 'a');
    writeSync(this.#fd, line);
    this.#size += bytes;
    for (const f of this.#followers) f(entry);
  }

  #rotate(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    renameSync(this.#path, this.#path + '.1');
    this.#size = 0;
  }

  /** The last `limit` entries, oldest first. */
  tail(limit: number): readonly ModuleLogEntry[] {
    return limit <= 0 ? [] : this.#ring.slice(-limit);
  }

  follow(listener: (e: ModuleLogEntry) => void): () => void {
    this.#followers.add(listener);
    return () => this.#followers.delete(listener);
  }

  get followers(): number {
    return this.#followers.size;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#followers.clear();
  }
}

/** One entry as a plain text line: `2026-11-23T23:59:59.123456Z  INFO add: Hello`. */
export function formatLogLine(e: ModuleLogEntry): string {
  const ms = Number(e.ts / 1000n);
  const iso = new Date(ms)
    .toISOString()
    .replace(
      /\.(\d{3})Z$/,
      (_, m: string) => `.${m}${(e.ts % 1000n).toString().padStart(3, '0')}Z`,
    );
  const where = e.reducer === undefined ? '' : `${escapeControlChars(e.reducer)}: `;
  return `${iso} ${e.level.toUpperCase().padStart(5)} ${where}${escapeControlChars(e.message)}`;
}
