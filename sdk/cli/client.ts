/**
 * @module
 * What every client command shares: the `--server`/`--token` options, picking the server
 * (flag, env WASMBASE_SERVER, the default set with `server set-default`, else
 * http://127.0.0.1:3000) and the token (flag, env WASMBASE_TOKEN, else the identity in use for
 * that server), HTTP requests with readable failures, and the two failure kinds: `CliError`
 * (exit code 1) and `UsageError` (exit code 2).
 */
import { Option, type Command } from 'commander';
import {
  cliConfigPath,
  readCliConfig,
  resolveServer,
  saveServerToken,
  type CliConfig,
} from './cli-config.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:3000';

/** A failure the CLI reports as one line on stderr (exit code 1). */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}

/** Bad input on the command line (exit code 2). */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
}

export interface Common {
  readonly server?: string;
  readonly token?: string;
  readonly json?: boolean;
}

export function say(line: string): void {
  process.stderr.write(line + '\n');
}

/** Adds `--server` and `--token` to a command. */
export function withCommon(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('-s, --server <url|nickname>', `server (default ${DEFAULT_SERVER})`).env(
        'WASMBASE_SERVER',
      ),
    )
    .addOption(
      new Option('--token <jwt>', 'token to send (default: the identity in use)').env(
        'WASMBASE_TOKEN',
      ),
    );
}

/** Adds an example block to a command's --help. */
export function withExamples(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', '\nExamples:\n' + lines.map(l => `  $ ${l}`).join('\n'));
}

export function loadConfig(): CliConfig {
  try {
    return readCliConfig(cliConfigPath());
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** The server origin the command talks to. */
export function serverOf(opts: Common, config: CliConfig = loadConfig()): string {
  const given = opts.server !== undefined && opts.server !== '' ? opts.server : undefined;
  try {
    return resolveServer(config, given ?? config.defaultServer ?? DEFAULT_SERVER);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** The token to use: --token, else the identity in use for the server, else undefined. */
export function storedToken(opts: Common): string | undefined {
  if (opts.token !== undefined && opts.token !== '') return opts.token;
  const config = loadConfig();
  return config.servers[serverOf(opts, config)]?.token;
}

export interface RequestInit {
  token?: string | undefined;
  body?: string | Uint8Array;
  contentType?: string;
  signal?: AbortSignal;
}

export async function request(
  opts: Common,
  method: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const server = serverOf(opts);
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  try {
    return await fetch(server + path, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
  } catch (err) {
    if (init.signal?.aborted === true) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED')
      throw new CliError(
        `no server at ${server}: start one with "wasmbase start" or pass --server`,
        { cause: err },
      );
    throw new CliError(
      `cannot reach ${server}: ` +
        `${cause?.message ?? (err instanceof Error ? err.message : String(err))}`,
      { cause: err },
    );
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { problems?: string[] } };
  PermissionDenied?: unknown;
}

function describeError(body: ErrorBody): string | undefined {
  const error = body.error;
  if (error?.code === 'MIGRATION_REFUSED' && Array.isArray(error.details?.problems))
    return (
      "the new module cannot keep this database's data (MIGRATION_REFUSED):\n" +
      error.details.problems.map(p => `  - ${p}`).join('\n') +
      '\nRepublish with --clear to wipe the data and start over.'
    );
  if (error?.message !== undefined) return `${error.message} (${error.code ?? 'error'})`;
  if ('PermissionDenied' in body)
    return "permission denied: this database belongs to another identity (use its owner's --token)";
  return undefined;
}

/** Throws a CliError describing a non-2xx answer. */
export async function expectOk(res: Response): Promise<Response> {
  if (res.ok) return res;
  const text = await res.text();
  let message = text.trim() || res.statusText;
  try {
    message = describeError(JSON.parse(text) as ErrorBody) ?? message;
  } catch {
    // Not JSON: the text is the message.
  }
  throw new CliError(`${message} [HTTP ${res.status}]`);
}

/** Mints an identity on the server and makes it the one in use (earlier ones are kept). */
export async function newIdentity(opts: Common): Promise<{ identity: string; token: string }> {
  const res = await expectOk(await request(opts, 'POST', '/v1/identity'));
  const minted = (await res.json()) as { identity: string; token: string };
  const file = cliConfigPath();
  const server = serverOf(opts);
  saveServerToken(file, server, minted);
  say(`new identity ${minted.identity} for ${server}; token stored in ${file}`);
  return minted;
}

/** The stored (or given) token, minting and storing a new identity when there is none. */
export async function tokenOrNew(opts: Common): Promise<string> {
  return storedToken(opts) ?? (await newIdentity(opts)).token;
}

/** `/v1/database/<name>` with the name escaped. */
export function dbPath(database: string, rest = ''): string {
  return `/v1/database/${encodeURIComponent(database)}${rest}`;
}
