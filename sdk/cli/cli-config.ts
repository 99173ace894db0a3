/**
 * @module
 * The CLI's own file, `$XDG_CONFIG_HOME/wasmbase/cli.json` (else `~/.config/wasmbase/cli.json`),
 * readable by the user only. It holds, per server, the identity in use (`servers`) and every
 * identity ever stored (`identities`: a token *is* the identity that owns the databases it
 * published, so none is ever dropped), plus server nicknames and the default server. Every
 * write is atomic (temp file, then rename) with mode 0600.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export interface ServerEntry {
  readonly token: string;
  readonly identity: string;
}

export interface CliConfig {
  /** The identity in use per server origin. */
  readonly servers: Readonly<Record<string, ServerEntry>>;
  /** Every identity stored per server origin, the one in use included. */
  readonly identities: Readonly<Record<string, readonly ServerEntry[]>>;
  /** Nickname → server origin. */
  readonly nicknames: Readonly<Record<string, string>>;
  /** The server used without --server (an origin), if set. */
  readonly defaultServer?: string;
}

/** Where the CLI keeps its tokens. */
export function cliConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== ''
      ? env['XDG_CONFIG_HOME']
      : path.join(homedir(), '.config');
  return path.join(base, 'wasmbase', 'cli.json');
}

function objectField<T>(file: string, parsed: object, key: string): Record<string, T> {
  const value = (parsed as Record<string, object | undefined>)[key];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${file}: "${key}" must be an object; fix or remove it`);
  return value as Record<string, T>;
}

/** The stored config; an empty one when the file does not exist. Throws on a corrupt file. */
export function readCliConfig(file: string): CliConfig {
  if (!existsSync(file)) return { servers: {}, identities: {}, nicknames: {} };
  let parsed: object | null;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as object | null;
  } catch (err) {
    throw new Error(
      `${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); ` +
        'fix or remove it',
      { cause: err },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || !('servers' in parsed))
    throw new Error(`${file} has no "servers" object; fix or remove it`);
  const servers = objectField<ServerEntry>(file, parsed, 'servers');
  const identities = { ...objectField<ServerEntry[]>(file, parsed, 'identities') };
  // Files written before `identities` existed: the one token per server is its only identity.
  for (const [server, entry] of Object.entries(servers))
    if (!(identities[server] ?? []).some(e => e.identity === entry.identity))
      identities[server] = [...(identities[server] ?? []), entry];
  const defaultServer = (parsed as { defaultServer?: string }).defaultServer;
  return {
    servers,
    identities,
    nicknames: objectField<string>(file, parsed, 'nicknames'),
    ...(typeof defaultServer === 'string' ? { defaultServer } : {}),
  };
}

/** Writes the whole config atomically with mode 0600. */
export function writeCliConfig(file: string, config: CliConfig): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  chmodSync(file, 0o600);
}

/** Reads, changes and writes the config. */
export function updateCliConfig(file: string, change: (c: CliConfig) => CliConfig): CliConfig {
  const next = change(readCliConfig(file));
  writeCliConfig(file, next);
  return next;
}

/** Adds `entry` to the identities of `server` (kept if already there). */
export function withIdentity(config: CliConfig, server: string, entry: ServerEntry): CliConfig {
  const known = config.identities[server] ?? [];
  if (known.some(e => e.identity === entry.identity)) return config;
  return { ...config, identities: { ...config.identities, [server]: [...known, entry] } };
}

/** Makes `entry` the identity in use for `server`, keeping every other one. */
export function useIdentity(config: CliConfig, server: string, entry: ServerEntry): CliConfig {
  const added = withIdentity(config, server, entry);
  return { ...added, servers: { ...added.servers, [server]: entry } };
}

/** Stores the token of `server` as the one in use; earlier identities stay listed. */
export function saveServerToken(file: string, server: string, entry: ServerEntry): void {
  updateCliConfig(file, c => useIdentity(c, server, entry));
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

/** A server given as a nickname or a URL, as an origin. */
export function resolveServer(config: CliConfig, nameOrUrl: string): string {
  const nick = config.nicknames[nameOrUrl];
  if (nick !== undefined) return nick;
  if (!nameOrUrl.includes(':') && !nameOrUrl.includes('/'))
    throw new Error(
      `no server nicknamed "${nameOrUrl}": add it with "wasmbase server add ${nameOrUrl} <url>"`,
    );
  return normalizeServer(nameOrUrl);
}

/** The identity part of a token (its `hex_identity` claim), without verifying it. */
export function tokenIdentity(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1]!.length > 8192) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as {
      hex_identity?: string;
    };
    const id = claims.hex_identity;
    return typeof id === 'string' && /^[0-9a-f]{64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
