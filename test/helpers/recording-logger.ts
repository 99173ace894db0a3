/**
 * @module
 * A `Logger` for tests that keeps the message of every `error` call (in order) and drops the rest,
 * so a test can assert what the server logged instead of showing the client. Its children are
 * itself, so one list holds the errors of everything it was handed to.
 */
import type { LogFields, Logger } from '../../runtime/log/index.js';

export class RecordingLogger implements Logger {
  readonly errors: string[] = [];
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(msg: string, _fields?: LogFields): void {
    this.errors.push(msg);
  }
  child(): Logger {
    return this;
  }
}
