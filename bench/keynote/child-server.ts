/**
 * @module
 * A server child process of the harness: started with node, considered up once its output
 * matches a pattern (which also yields its address), stopped with SIGTERM (SIGKILL after a grace
 * period), and killed at exit if the harness dies first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { onExit } from './cleanup.js';

/** Output kept for error messages (the tail). */
const KEEP_OUTPUT_CHARS = 16_384;

export interface ChildServer {
  readonly child: ChildProcess;
  /** The capture groups of the ready pattern. */
  readonly ready: RegExpMatchArray;
  /** The tail of stdout + stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null if killed). */
  stop(graceMs?: number): Promise<number | null>;
}

export interface ChildServerOptions {
  readonly name: string;
  readonly nodeArgs?: readonly string[];
  readonly script: string;
  readonly args: readonly string[];
  readonly readyPattern: RegExp;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.script, ...options.args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    },
  );
  const forget = onExit(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2 * KEEP_OUTPUT_CHARS) out = out.slice(-KEEP_OUTPUT_CHARS);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  void exited.then(forget);

  const timeoutMs = options.timeoutMs ?? 60_000;
  const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const m = out.match(options.readyPattern);
      if (m !== null) {
        clearInterval(poll);
        resolve(m);
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(poll);
        reject(
          new Error(
            `${options.name} exited (${child.exitCode ?? child.signalCode}) before ready:\n` +
              out.slice(-KEEP_OUTPUT_CHARS),
          ),
        );
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(
          new Error(
            `${options.name} was not ready within ${timeoutMs} ms:\n` +
              out.slice(-KEEP_OUTPUT_CHARS),
          ),
        );
      }
    }, 25);
  });

  return {
    child,
    ready,
    output: () => out.slice(-KEEP_OUTPUT_CHARS),
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
