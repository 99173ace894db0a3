/**
 * @module
 * The CLI's own file: one token per server, in `$XDG_CONFIG_HOME/wasmbase/cli.json` (else
 * `~/.config/wasmbase/cli.json`), readable by the user only. A token *is* the identity that owns
 * the databases it published, so it is written before anything else uses it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export interface ServerEntry {
  readonly token: string;
  readonly identity: string;
}

export interface CliConfig {
  readonly servers: Readonly<Record<string, ServerEntry>>;
}

/** Where the CLI keeps its tokens. */
export function cliConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== ''
      ? env['XDG_CONFIG_HOME']
      : path.join(homedir(), '.config');
  return path.join(base, 'wasmbase', 'cli.json');
}

/** The stored config; an empty one when the file does not exist. Throws on a corrupt file. */
export function readCliConfig(file: string): CliConfig {
  if (!existsSync(file)) return { servers: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); ` +
        'fix or remove it',
      { cause: err },
    );
  }
  const servers = (parsed as { servers?: unknown } | null)?.servers;
  if (typeof servers !== 'object' || servers === null)
    throw new Error(`${file} has no "servers" object; fix or remove it`);
  return { servers: servers as Record<string, ServerEntry> };
}

/** Stores the token of `server`, atomically, with mode 0600. */
export function saveServerToken(file: string, server: string, entry: ServerEntry): void {
  const current = readCliConfig(file);
  const next: CliConfig = { servers: { ...current.servers, [server]: entry } };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  chmodSync(file, 0o600);
}

/** `http://127.0.0.1:3000/` and `http://127.0.0.1:3000` are the same server. */
export function normalizeServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--server must be a URL like http://127.0.0.1:3000, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`--server must be an http(s) URL, got "${url}"`);
  return parsed.origin;
}
