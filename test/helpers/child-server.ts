/**
 * @module
 * The real server as a child process (`wasmbase start`) on 127.0.0.1 and an ephemeral port, so
 * that `kill -9` is a real crash. Shared by the kill -9 tests in `test/durability/` and the
 * reliability suite in `test/reliability/`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './modules.js';

export interface ChildServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGKILL, then waits for the process to be gone. */
  kill9(): Promise<void>;
}

/** What a start that did not reach "listening" printed, and how it ended. */
export interface FailedStart {
  readonly code: number | null;
  readonly output: string;
}

function spawnServer(dataDir: string, extra: readonly string[]) {
  const args = ['start', '--port', '0', '--data-dir', dataDir, '--log-format', 'json', ...extra];
  const child = spawn(process.execPath, [path.join(ROOT, 'sdk/cli/wasmbase.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  return { child, exited, output: () => out };
}

/** Starts the server; resolves once it prints its URL, or with how it failed to start. */
export async function tryStartServer(
  dataDir: string,
  extra: readonly string[] = [],
): Promise<ChildServer | FailedStart> {
  const { child, exited, output } = spawnServer(dataDir, extra);
  let code: number | null | undefined;
  void exited.then(c => (code = c));
  for (let i = 0; i < 1200; i++) {
    const m = /listening on (http:\/\/\S+)/.exec(output());
    if (m !== null) {
      const kill9 = async () => {
        child.kill('SIGKILL');
        await exited;
      };
      return { child, url: m[1]!, exited, output, kill9 };
    }
    if (code !== undefined) return { code, output: output() };
    await new Promise(r => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  await exited;
  return { code: null, output: `${output()}\n(no "listening" line within 30 s)` };
}

/** Starts the server or throws with what it printed. */
export async function startServer(
  dataDir: string,
  extra: readonly string[] = [],
): Promise<ChildServer> {
  const s = await tryStartServer(dataDir, extra);
  if ('url' in s) return s;
  throw new Error(`server did not start (exit ${s.code}):\n${s.output}`);
}
