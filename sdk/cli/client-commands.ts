/**
 * @module
 * Client commands of the `wasmbase` CLI, talking to a running server over HTTP: `identity new`,
 * `publish`, `call`, `sql`, `logs`. Each takes `--server` (env WASMBASE_SERVER) and `--token`
 * (env WASMBASE_TOKEN); without `--token` the token stored for that server in the CLI config
 * file is used. Data goes to stdout, messages to stderr.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { cliConfigPath, normalizeServer, readCliConfig, saveServerToken } from './cli-config.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:3000';

/** A failure the CLI reports as one line on stderr (exit code 1). */
export class CliError extends Error {
  override readonly name = 'CliError';
}

interface Common {
  readonly server: string;
  readonly token?: string;
}

function say(line: string): void {
  process.stderr.write(line + '\n');
}

function withCommon(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--server <url>', 'server URL').env('WASMBASE_SERVER').default(DEFAULT_SERVER),
    )
    .addOption(
      new Option('--token <jwt>', 'token to send (default: the one stored for this server)').env(
        'WASMBASE_TOKEN',
      ),
    );
}

/** The token to use: --token, else the stored one for the server, else undefined. */
function storedToken(opts: Common): string | undefined {
  if (opts.token !== undefined && opts.token !== '') return opts.token;
  return readCliConfig(cliConfigPath()).servers[normalizeServer(opts.server)]?.token;
}

async function request(
  opts: Common,
  method: string,
  path: string,
  init: {
    token?: string | undefined;
    body?: string | Uint8Array;
    contentType?: string;
    signal?: AbortSignal;
  } = {},
): Promise<Response> {
  const server = normalizeServer(opts.server);
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  try {
    return await fetch(server + path, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body as string }),
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

/** Throws a CliError describing a non-2xx answer. */
async function expectOk(res: Response): Promise<Response> {
  if (res.ok) return res;
  const text = await res.text();
  let message = text.trim() || res.statusText;
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string };
      PermissionDenied?: unknown;
    };
    if (body.error?.message !== undefined)
      message = `${body.error.message} (${body.error.code ?? 'error'})`;
    else if ('PermissionDenied' in body)
      message =
        "permission denied: this database belongs to another identity (use its owner's --token)";
  } catch {
    // Not JSON: the text is the message.
  }
  throw new CliError(`${message} [HTTP ${res.status}]`);
}

/** Mints an identity on the server and stores its token for that server. */
async function newIdentity(opts: Common): Promise<{ identity: string; token: string }> {
  const res = await expectOk(await request(opts, 'POST', '/v1/identity'));
  const minted = (await res.json()) as { identity: string; token: string };
  const file = cliConfigPath();
  saveServerToken(file, normalizeServer(opts.server), minted);
  say(
    `new identity ${minted.identity} for ${normalizeServer(opts.server)}; token stored in ${file}`,
  );
  return minted;
}

/** The stored (or given) token, minting and storing a new identity when there is none. */
async function tokenOrNew(opts: Common): Promise<string> {
  return storedToken(opts) ?? (await newIdentity(opts)).token;
}

/** Reducer arguments from the command line: each is JSON, or else taken as a string. */
export function parseCallArgs(args: readonly string[]): unknown[] {
  return args.map(a => {
    try {
      return JSON.parse(a) as unknown;
    } catch {
      return a;
    }
  });
}

function identityCommand(): Command {
  const cmd = new Command('identity').description('manage the identity the CLI uses per server');
  cmd.addCommand(
    withCommon(new Command('new'))
      .description(
        'create a new identity on the server and store its token (replaces the stored one)',
      )
      .action(async (opts: Common) => {
        const minted = await newIdentity(opts);
        process.stdout.write(minted.identity + '\n');
      }),
  );
  return cmd;
}

function publishCommand(): Command {
  return withCommon(new Command('publish'))
    .description('publish a module (.wasm) under a database name, creating or updating it')
    .argument('<name>', 'database name or identity')
    .argument('<file>', 'the module, e.g. modules/bank/build/bank.wasm')
    .option('--clear', 'wipe the existing data and rerun init', false)
    .action(async (name: string, file: string, opts: Common & { clear: boolean }) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (err) {
        throw new CliError(
          `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      const token = await tokenOrNew(opts);
      const res = await expectOk(
        await request(
          opts,
          'POST',
          `/v1/database/${encodeURIComponent(name)}${opts.clear ? '?clear=true' : ''}`,
          { token, body: bytes, contentType: 'application/wasm' },
        ),
      );
      const body = (await res.json()) as { Success: { database_identity: string; op: string } };
      say(`${body.Success.op} database "${name}" (${body.Success.database_identity})`);
      process.stdout.write(JSON.stringify(body) + '\n');
    });
}

function callCommand(): Command {
  return withCommon(new Command('call'))
    .description('call a reducer; each argument is JSON (strings may be given bare)')
    .argument('<database>', 'database name or identity')
    .argument('<reducer>', 'reducer name')
    .argument('[args...]', 'arguments, e.g. 1 2 "\\"text\\"" or Alice')
    .action(async (database: string, reducer: string, args: string[], opts: Common) => {
      const body = JSON.stringify(parseCallArgs(args));
      await expectOk(
        await request(
          opts,
          'POST',
          `/v1/database/${encodeURIComponent(database)}/call/${encodeURIComponent(reducer)}`,
          { token: storedToken(opts), body, contentType: 'application/json' },
        ),
      );
    });
}

function sqlCommand(): Command {
  return withCommon(new Command('sql'))
    .description('run SQL; prints one JSON result per statement')
    .argument('<database>', 'database name or identity')
    .argument('<query>', 'SQL text, statements separated by ;')
    .action(async (database: string, query: string, opts: Common) => {
      const res = await expectOk(
        await request(opts, 'POST', `/v1/database/${encodeURIComponent(database)}/sql`, {
          token: storedToken(opts),
          body: query,
          contentType: 'text/plain',
        }),
      );
      for (const result of (await res.json()) as unknown[])
        process.stdout.write(JSON.stringify(result) + '\n');
    });
}

function logsCommand(): Command {
  return withCommon(new Command('logs'))
    .description("print a database's module log (owner only)")
    .argument('<database>', 'database name or identity')
    .option('-n, --num-lines <n>', 'how many of the latest lines', '20')
    .option(
      '-f, --follow',
      'keep printing new lines until interrupted or the database is deleted',
      false,
    )
    .action(async (database: string, opts: Common & { numLines: string; follow: boolean }) => {
      if (!/^\d+$/.test(opts.numLines))
        throw new CliError(`--num-lines must be a non-negative integer, got "${opts.numLines}"`);
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const query = `num_lines=${opts.numLines}${opts.follow ? '&follow=true' : ''}`;
        const res = await expectOk(
          await request(opts, 'GET', `/v1/database/${encodeURIComponent(database)}/logs?${query}`, {
            token: storedToken(opts),
            signal: abort.signal,
          }),
        );
        const reader = res.body?.getReader();
        if (reader === undefined) return;
        const decoder = new TextDecoder();
        let pending = '';
        for (;;) {
          let chunk;
          try {
            chunk = await reader.read();
          } catch (err) {
            if (abort.signal.aborted) break;
            throw err;
          }
          if (chunk.done) break;
          pending += decoder.decode(chunk.value, { stream: true });
          const lines = pending.split('\n');
          pending = lines.pop()!;
          // The stream opens with an empty line when there is no tail yet.
          for (const line of lines) if (line !== '') process.stdout.write(line + '\n');
        }
        if (pending !== '') process.stdout.write(pending + '\n');
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

/** The client commands, ready to add to the program. */
export function clientCommands(): Command[] {
  return [identityCommand(), publishCommand(), callCommand(), sqlCommand(), logsCommand()];
}
