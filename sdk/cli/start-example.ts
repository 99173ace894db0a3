/**
 * @module
 * `wasmbase start --example <name>`: builds `modules/<name>`, publishes it as the database
 * `<name>`, and republishes it when its source changed since (safe migrations are applied; a
 * refused one is printed with every reason and the `--clear` hint, and the old module serves
 * on). The owner is one identity shared with the CLI: its token is kept in `data/owner.token`
 * and stored (and put in use) in the CLI config for this server, so `wasmbase logs <name>`
 * works right away.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import type { RunningServer } from '../../runtime/main.js';
import type { Config } from '../../runtime/config.js';
import { cliConfigPath, readCliConfig, saveServerToken } from './cli-config.js';
import { say } from './client.js';
import { modulesApi } from './modules-api.js';

/** The example's owner token: data/owner.token, else the CLI's if this server accepts it. */
async function ownerToken(server: RunningServer, config: Config): Promise<string> {
  const tokenFile = path.join(config.dataDir, 'owner.token');
  if (existsSync(tokenFile)) return readFileSync(tokenFile, 'utf8').trim();
  let token: string | undefined = readCliConfig(cliConfigPath()).servers[server.url]?.token;
  if (token !== undefined) {
    try {
      await server.tokens.verify(token);
    } catch {
      token = undefined; // Minted by another data directory's keys.
    }
  }
  token ??= (await server.tokens.mintIdentity()).token;
  writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
  return token;
}

function problemsOf(err: WasmbaseError): string[] {
  const problems = err.details?.['problems'];
  return Array.isArray(problems) ? problems.map(String) : [err.message];
}

/** Publishes (or republishes) the example; says what happened. */
export async function publishExample(
  server: RunningServer,
  config: Config,
  example: string,
): Promise<void> {
  const api = await modulesApi();
  await api.buildModules({ only: [example], onProgress: say });
  const token = await ownerToken(server, config);
  const owner = (await server.tokens.verify(token)).identity;
  saveServerToken(cliConfigPath(), server.url, { identity: owner.toHex(), token });
  const before = server.engine.resolve(example)?.info.moduleHash;
  const bytes = new Uint8Array(readFileSync(api.moduleWasmPath(example)));
  try {
    await server.engine.publish({
      moduleBytes: bytes,
      owner,
      nameOrIdentity: example,
      clear: false,
    });
  } catch (err) {
    if (!(err instanceof WasmbaseError) || err.code !== 'MIGRATION_REFUSED') throw err;
    say(`modules/${example} changed, but the database "${example}" keeps its old module:`);
    for (const p of problemsOf(err)) say(`  - ${p}`);
    say(
      `to wipe its data and use the new module: wasmbase publish ${example} ` +
        `${path.relative(process.cwd(), api.moduleWasmPath(example))} --clear`,
    );
    return;
  }
  const after = server.engine.resolve(example)?.info.moduleHash;
  if (before === undefined) say(`published modules/${example} as database "${example}"`);
  else if (before !== after) say(`modules/${example} changed: republished "${example}"`);
  else say(`database "${example}" is up to date with modules/${example}`);
  say(`owner: ${owner.toHex()} — the CLI uses this identity for ${server.url}`);
}

/** What to try next, on stdout. */
export function exampleHints(server: RunningServer, example: string, web = false): string {
  const base = server.url;
  const at = base === 'http://127.0.0.1:3000' ? '' : ` --server ${base}`;
  const quickstart = [
    `  npx wasmbase call ${example} add Alice${at}`,
    `  npx wasmbase call ${example} say_hello${at}`,
    `  npx wasmbase logs ${example}${at}`,
    `  npx wasmbase sql ${example} 'SELECT * FROM person'${at}`,
    `  curl -X POST ${base}/v1/database/${example}/call/add ` +
      `-H 'Content-Type: application/json' -d '["Alice"]'`,
  ];
  const other = [
    ...(web ? [`  open ${base}/ in two browser windows (the ${example} page)`] : []),
    `  npx wasmbase describe ${example}${at}`,
    ...(example === 'chat' ? [`  npx wasmbase subscribe chat 'SELECT * FROM message'${at}`] : []),
    `  npx wasmbase logs ${example} -f${at}`,
  ];
  return [
    '',
    `wasmbase is running at ${base} — try:`,
    '',
    ...(example === 'quickstart' ? quickstart : other),
    '',
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
}
