/**
 * @module
 * The server's one logger: structured JSON lines on stderr (or readable text on a terminal).
 * Runtime code never calls `console.*`; it asks for a child logger with fixed fields instead.
 * Module logs written by guest code are a separate thing (see `module-log.ts`).
 * Every string in a line, message and fields, has its control characters escaped (`escape.ts`).
 */
import { escapeControlChars } from './escape.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Readonly<Record<string, unknown>>;

/** Where log lines go. Tests pass a sink that records lines. */
export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line also carries `fields`. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** `json` for machines, `pretty` for a person at a terminal. */
  readonly format: 'json' | 'pretty';
  readonly sink?: LogSink;
}

const stderrSink: LogSink = line => {
  process.stderr.write(line + '\n');
};

function errorFields(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    if ('code' in value) out['code'] = (value as { code: unknown }).code;
    if (value.stack !== undefined) out['stack'] = value.stack;
    if (value.cause !== undefined) out['cause'] = errorFields(value.cause);
    return out;
  }
  return value;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return escapeControlChars(value);
  if (value instanceof Error) return errorFields(value);
  return value;
}

class StructuredLogger implements Logger {
  readonly #min: number;
  readonly #format: 'json' | 'pretty';
  readonly #sink: LogSink;
  readonly #fields: LogFields;

  constructor(options: LoggerOptions, fields: LogFields) {
    this.#min = LEVEL_RANK[options.level];
    this.#format = options.format;
    this.#sink = options.sink ?? stderrSink;
    this.#fields = fields;
  }

  debug(msg: string, fields?: LogFields): void {
    this.#write('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.#write('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#write('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.#write('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    const options: LoggerOptions = {
      level:
        (Object.keys(LEVEL_RANK) as LogLevel[]).find(l => LEVEL_RANK[l] === this.#min) ?? 'info',
      format: this.#format,
      sink: this.#sink,
    };
    return new StructuredLogger(options, { ...this.#fields, ...fields });
  }

  #write(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (LEVEL_RANK[level] < this.#min) return;
    const record = { ts: new Date().toISOString(), level, msg, ...this.#fields, ...fields };
    if (this.#format === 'json') {
      this.#sink(JSON.stringify(record, jsonReplacer));
      return;
    }
    const { ts, level: _l, msg: _m, ...rest } = record;
    const extra = Object.keys(rest).length === 0 ? '' : ' ' + JSON.stringify(rest, jsonReplacer);
    this.#sink(`${ts} ${level.toUpperCase().padEnd(5)} ${escapeControlChars(msg)}${extra}`);
  }
}

/** Creates a root logger. */
export function createLogger(options: LoggerOptions): Logger {
  return new StructuredLogger(options, {});
}

/** A logger that drops everything (for tests and embedded use that do not care). */
export const silentLogger: Logger = createLogger({
  level: 'error',
  format: 'json',
  sink: () => {},
});
