/** An engine on a temporary data directory, closed when the test file ends. */
import { afterAll } from 'vitest';
import { loadConfig, type Config } from '../../runtime/config.js';
import { createEngine, type Engine } from '../../runtime/host/index.js';
import { silentLogger } from '../../runtime/log/index.js';
import { tempDir } from './temp-dir.js';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({}, {}, { dataDir: tempDir(), port: 0, workers: 2, ...overrides });
}

export async function testEngine(
  overrides: Partial<Config> = {},
): Promise<{ engine: Engine; config: Config }> {
  const config = testConfig(overrides);
  const engine = await createEngine({ config, logger: silentLogger });
  afterAll(() => engine.close());
  return { engine, config };
}
