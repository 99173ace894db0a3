/**
 * @module
 * The piscina worker entry: runs one batch of reducer calls per task.
 */
import type { BatchResult, BatchTask } from './batch-types.js';
import { runBatch } from './module-runner.js';

export default function runTask(task: BatchTask): BatchResult {
  return runBatch(task);
}
