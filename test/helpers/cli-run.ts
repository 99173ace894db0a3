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
  return (args, options = {}) => {
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
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise<Run>(resolve => child.on('exit', code => resolve({ code, stdout, stderr })));
  };
}
