/**
 * @module
 * The module host: validation of module bytes, the reducer workers, per-database executors and
 * the engine that owns every database. The ABI is documented in README.md.
 */
export { createEngine } from './engine.js';
export type { EngineOptions } from './engine.js';
export type * from './engine-types.js';
export { prepareCall } from './reducer-call.js';
export type { PreparedCall } from './reducer-call.js';
export { validateModule } from './module-validate.js';
export type { ValidatedModule } from './module-validate.js';
export {
  validateDatabaseName,
  DATABASE_NAME_RULE,
  MAX_DATABASE_NAME_LENGTH,
  checkDatabaseKeyLength,
} from './database-name.js';
export { HOST_FUNCTIONS, REQUIRED_EXPORTS, ERRNO, ABI_NAMESPACE, SCHEMA_SECTION } from './abi.js';
