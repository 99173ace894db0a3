/**
 * @module
 * The server process: opens the engine and the token service on the data directory, starts
 * the HTTP server, and shuts everything down in order on SIGTERM / SIGINT.
 */
import { mkdirSync } from 'node:fs';
import { AbuseLimits, abuseLimitSettings, type Clock } from './api/index.js';
import { openTokenService, type TokenService } from './auth/index.js';
import type { Config } from './config.js';
import { createEngine, type Engine } from './host/index.js';
import { startHttpServer } from './http/index.js';
import { createLogger, type Logger } from './log/index.js';
import { verifyDataDir } from './store/index.js';

export interface RunningServer {
  readonly config: Config;
  readonly port: number;
  readonly url: string;
  readonly engine: Engine;
  readonly tokens: TokenService;
  readonly logger: Logger;
  /** The abuse limits' counters (calls, connections, mints, databases). */
  readonly limits: AbuseLimits;
  /** Stops accepting requests, drains in-flight calls and closes every store. */
  close(): Promise<void>;
}

/** What a caller may inject (tests): the abuse limits' clock, in milliseconds. */
export interface ServerOptions {
  readonly clock?: Clock;
}

export async function runServer(
  config: Config,
  logger: Logger = createLogger({ level: config.logLevel, format: config.logFormat }),
  options: ServerOptions = {},
): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true });
  if (config.verifyData === 'full') {
    const started = performance.now();
    const report = await verifyDataDir(config.dataDir);
    const ms = Math.round(performance.now() - started);
    logger.info('data directory checked', { ...report, ms });
  }
  const tokens = await openTokenService(config.dataDir, config.issuer);
  const engine = await createEngine({ config, logger });
  const limits = new AbuseLimits(abuseLimitSettings(config), options.clock);
  let http;
  try {
    http = await startHttpServer({ config, engine, tokens, logger, limits });
  } catch (err) {
    await engine.close();
    throw err;
  }
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${http.port}`;
  logger.info('wasmbase is listening', { url, dataDir: config.dataDir });
  let closing: Promise<void> | undefined;
  return {
    config,
    port: http.port,
    url,
    engine,
    tokens,
    logger,
    limits,
    close: () => {
      closing ??= (async () => {
        await http.close();
        await engine.close();
        logger.info('wasmbase stopped');
      })();
      return closing;
    },
  };
}

/** Closes `server` on SIGTERM / SIGINT, then exits. */
export function closeOnSignals(server: RunningServer): void {
  const stop = (signal: string) => {
    server.logger.info('shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
