/**
 * @module
 * Last-resort cleanup: synchronous tasks (kill a child server, stop PostgreSQL, remove a temp
 * dir) that run when the process exits for any reason, and — when asked — on Ctrl-C / SIGTERM /
 * SIGHUP before exiting. The normal path undoes each thing itself and removes its task.
 */

const tasks = new Set<() => void>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

function runAll(): void {
  for (const task of [...tasks].reverse()) {
    tasks.delete(task);
    try {
      task();
    } catch {
      // Best effort: one failing cleanup must not stop the others.
    }
  }
}

/** Registers `task` to run at exit; returns a function that unregisters it. */
export function onExit(task: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', runAll);
  }
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
}

/** Runs the cleanup tasks on SIGINT / SIGTERM / SIGHUP too, then exits 130 (for the CLI). */
export function cleanUpOnSignals(): void {
  if (signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping servers and removing temporary data…\n`);
      runAll();
      process.exit(130);
    });
  }
}
