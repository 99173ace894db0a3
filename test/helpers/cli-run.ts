/** Runs the real `wasmbase` binary as a child process, with its own CLI config home. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './modules.js';

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunner {
  (args: string[], options?: { env?: Record<string, string>; cwd?: string }): Promise<Run>;
}

/** A runner whose children use `configHome` and `server` unless told otherwise. */
export function cliRunner(configHome: string, server: string): CliRunner {
  return async (args, options = {}) => {
    const child = cliSpawn(configHome, server, args, options);
    const code = await child.exited;
    return { code, stdout: child.stdout(), stderr: child.stderr() };
  };
}

/** A `wasmbase` child still running: its output so far, a bounded wait for a line, its exit. */
export interface CliChild {
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Waits (polling every 50 ms, at most `tries` times) until `stream` matches `pattern`. */
  until(stream: 'stdout' | 'stderr', pattern: RegExp, tries?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts the real binary like `cliRunner` does, without waiting for it to end. */
export function cliSpawn(
  configHome: string,
  server: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliChild {
  const child = spawn(process.execPath, [path.join(ROOT, 'sdk/cli/wasmbase.mjs'), ...args], {
    env: {
      ...process.env,
      XDG_CONFIG_HOME: configHome,
      WASMBASE_SERVER: server,
      NO_COLOR: '1',
      ...options.env,
    },
    cwd: options.cwd ?? ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  return {
    exited,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    async until(stream, pattern, tries = 400) {
      for (let i = 0; i < tries; i++) {
        const m = out[stream].match(pattern);
        if (m !== null) return m;
        if (child.exitCode !== null) break;
        await new Promise(r => setTimeout(r, 50));
      }
      const m = out[stream].match(pattern);
      if (m !== null) return m;
      throw new Error(`no ${String(pattern)} on ${stream}:\n${out.stdout}\n${out.stderr}`);
    },
    kill(signal = 'SIGTERM') {
      child.kill(signal);
    },
  };
}
