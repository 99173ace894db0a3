/**
 * @module
 * Logging: the server's structured logger and the per-database module logs.
 */
export { createLogger, silentLogger, LOG_LEVELS } from './logger.js';
export type { Logger, LogLevel, LogFields, LoggerOptions, LogSink } from './logger.js';
export { ModuleLog, moduleLogLevel, formatLogLine, MODULE_LOG_LEVELS } from './module-log.js';
export type { ModuleLogEntry, ModuleLogLevel } from './module-log.js';
export { escapeControlChars } from './escape.js';
