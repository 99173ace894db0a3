/**
 * @module
 * Publishing, as every front end does it: a publish that creates a database (a new name, or
 * no name) first takes one of the owner's database slots (`--max-databases-per-identity`);
 * updating a database the owner already has takes none. The slot is held while the engine
 * creates the database, so parallel publishes cannot pass the cap together.
 */
import type {
  ArchivePublishRequest,
  Engine,
  PublishRequest,
  PublishResult,
} from '../host/index.js';
import type { Identity } from '../protocol/index.js';
import type { AbuseLimits } from './limits/abuse-limits.js';

async function creating(
  engine: Engine,
  limits: AbuseLimits,
  owner: Identity,
  create: () => Promise<PublishResult>,
): Promise<PublishResult> {
  const release = limits.reserveDatabase(owner, engine.list(owner).length);
  try {
    return await create();
  } finally {
    release();
  }
}

/** Creates or updates a database from module bytes; DATABASE_LIMIT when a new one is over. */
export function publishModule(
  engine: Engine,
  limits: AbuseLimits,
  request: PublishRequest,
): Promise<PublishResult> {
  const target = request.nameOrIdentity;
  if (target !== undefined && engine.resolve(target) !== undefined) return engine.publish(request);
  return creating(engine, limits, request.owner, () => engine.publish(request));
}

/** Creates a database from an archive (always a new one); DATABASE_LIMIT when over. */
export function publishArchive(
  engine: Engine,
  limits: AbuseLimits,
  request: ArchivePublishRequest,
): Promise<PublishResult> {
  return creating(engine, limits, request.owner, () => engine.publishArchive(request));
}
