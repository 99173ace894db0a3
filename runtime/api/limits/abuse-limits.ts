/**
 * @module
 * The abuse limits, in one place for every front end: reducer calls per second, open
 * WebSocket connections, identities minted per minute and databases per identity, each per
 * identity and/or per client address. HTTP and WebSocket only pass who is asking (identity and
 * peer address); the counting, the caps and the error (code, message naming the limit and its
 * flag, `retryAfterSec`) are decided here.
 *
 * - Rates are token buckets (`TokenBuckets`): calls hold one second's worth (burst = the
 *   per-second limit), mints one minute's worth.
 * - Open connections are exact counts (`OpenCounts`), taken at the upgrade and given back when
 *   the socket closes.
 * - Databases per identity are counted from the engine's catalog at publish, plus publishes of
 *   new databases still running (so two parallel publishes cannot both take the last slot).
 *
 * A limit of 0 is off. With `exemptLoopback`, the per-address limits do not count loopback
 * peers (127.0.0.0/8, ::1): every local client shares that one address, so counting it says
 * nothing about one caller; the per-identity limits still apply to them.
 */
import type { Config } from '../../config.js';
import { WasmbaseError, type ErrorCode, type Identity } from '../../protocol/index.js';
import { addressKey } from './client-address.js';
import { OpenCounts } from './connection-counts.js';
import { TokenBuckets, type Clock } from './token-buckets.js';

/** The limits, as configured (0 = off). */
export interface AbuseLimitSettings {
  readonly callsPerSecondPerIdentity: number;
  readonly callsPerSecondPerIp: number;
  readonly connectionsPerIdentity: number;
  readonly connectionsPerIp: number;
  readonly identitiesPerMinutePerIp: number;
  readonly databasesPerIdentity: number;
  readonly exemptLoopback: boolean;
  /** Most keys one rate table tracks (idle keys expire first, then the least recently used). */
  readonly maxKeys: number;
}

export function abuseLimitSettings(config: Config): AbuseLimitSettings {
  return {
    callsPerSecondPerIdentity: config.rateLimitCallsPerIdentity,
    callsPerSecondPerIp: config.rateLimitCallsPerIp,
    connectionsPerIdentity: config.maxConnectionsPerIdentity,
    connectionsPerIp: config.maxConnectionsPerIp,
    identitiesPerMinutePerIp: config.rateLimitIdentitiesPerIp,
    databasesPerIdentity: config.maxDatabasesPerIdentity,
    exemptLoopback: config.rateLimitExemptLoopback,
    maxKeys: config.rateLimitMaxKeys,
  };
}

/** Who is asking: the identity (when known) and the peer address the transport reports. */
export interface Requester {
  readonly identity: Identity;
  readonly address: string;
}

/** Admits the reducer calls of one requester (a connection holds one). */
export interface CallGate {
  /** Throws RATE_LIMITED when the call is over a calls-per-second limit. */
  admitCall(): void;
}

/** An open connection's place in the counts; `release` is idempotent. */
export interface ConnectionSlot {
  release(): void;
}

/** One limit: its name (in error details), its flag, and the sentence naming what it counts. */
interface LimitName {
  readonly name: string;
  readonly flag: string;
  readonly what: string;
}

const LIMITS = {
  callsIdentity: {
    name: 'calls-per-identity',
    flag: 'rate-limit-calls-per-identity',
    what: 'reducer calls per second from one identity',
  },
  callsIp: {
    name: 'calls-per-ip',
    flag: 'rate-limit-calls-per-ip',
    what: 'reducer calls per second from one address',
  },
  connectionsIdentity: {
    name: 'connections-per-identity',
    flag: 'max-connections-per-identity',
    what: 'open WebSocket connections of one identity',
  },
  connectionsIp: {
    name: 'connections-per-ip',
    flag: 'max-connections-per-ip',
    what: 'open WebSocket connections from one address',
  },
  identitiesIp: {
    name: 'identities-per-ip',
    flag: 'rate-limit-identities-per-ip',
    what: 'new identities per minute from one address',
  },
  databasesIdentity: {
    name: 'databases-per-identity',
    flag: 'max-databases-per-identity',
    what: 'databases owned by one identity',
  },
} as const satisfies Record<string, LimitName>;

/** Whole seconds, at least 1, for `Retry-After`. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function limitError(
  code: ErrorCode,
  limit: LimitName,
  max: number,
  retryAfterSec: number | undefined,
): WasmbaseError {
  const retry = retryAfterSec === undefined ? '' : `; retry in ${retryAfterSec} s`;
  return new WasmbaseError(
    code,
    `over the limit of ${max} ${limit.what} (--${limit.flag})${retry}`,
    {
      limit: limit.name,
      flag: `--${limit.flag}`,
      max,
      ...(retryAfterSec === undefined ? {} : { retryAfterSec }),
    },
    retryAfterSec === undefined ? undefined : { retryAfterSec },
  );
}

const NO_SLOT: ConnectionSlot = { release: () => undefined };

export class AbuseLimits {
  readonly settings: AbuseLimitSettings;
  readonly #callsByIdentity: TokenBuckets | undefined;
  readonly #callsByIp: TokenBuckets | undefined;
  readonly #mintsByIp: TokenBuckets | undefined;
  readonly #connectionsByIdentity = new OpenCounts();
  readonly #connectionsByIp = new OpenCounts();
  /** Publishes of new databases running now, per owner (hex). */
  readonly #creating = new OpenCounts();

  constructor(settings: AbuseLimitSettings, clock: Clock = () => performance.now()) {
    this.settings = settings;
    const perSecond = (n: number) =>
      n === 0
        ? undefined
        : new TokenBuckets({ capacity: n, perSecond: n }, settings.maxKeys, clock);
    this.#callsByIdentity = perSecond(settings.callsPerSecondPerIdentity);
    this.#callsByIp = perSecond(settings.callsPerSecondPerIp);
    const mints = settings.identitiesPerMinutePerIp;
    this.#mintsByIp =
      mints === 0
        ? undefined
        : new TokenBuckets({ capacity: mints, perSecond: mints / 60 }, settings.maxKeys, clock);
  }

  /** Keys tracked by the rate tables (for tests and stats). */
  get trackedKeys(): number {
    return (
      (this.#callsByIdentity?.size ?? 0) +
      (this.#callsByIp?.size ?? 0) +
      (this.#mintsByIp?.size ?? 0)
    );
  }

  /** The gate a connection's calls pass (HTTP's one call, or every call of a WebSocket). */
  callGate(who: Requester): CallGate {
    const identity = who.identity.toHex();
    const ip = this.#ipKey(who.address);
    return { admitCall: () => this.#admitCall(identity, ip) };
  }

  /** Throws RATE_LIMITED when `address` minted too many identities in the last minute. */
  admitMint(address: string): void {
    const ip = this.#ipKey(address);
    if (ip === undefined || this.#mintsByIp === undefined) return;
    const taken = this.#mintsByIp.take(ip);
    if (!taken.ok) {
      const max = this.settings.identitiesPerMinutePerIp;
      throw limitError(
        'RATE_LIMITED',
        LIMITS.identitiesIp,
        max,
        retryAfterSeconds(taken.retryAfterMs),
      );
    }
  }

  /** Counts an open connection; CONNECTION_LIMIT when the identity or the address is at its cap. */
  openConnection(who: Requester): ConnectionSlot {
    const { connectionsPerIdentity: perIdentity, connectionsPerIp: perIp } = this.settings;
    const identity = perIdentity === 0 ? undefined : who.identity.toHex();
    const ip = perIp === 0 ? undefined : this.#ipKey(who.address);
    if (identity === undefined && ip === undefined) return NO_SLOT;
    if (identity !== undefined && !this.#connectionsByIdentity.tryAcquire(identity, perIdentity))
      throw limitError('CONNECTION_LIMIT', LIMITS.connectionsIdentity, perIdentity, 1);
    if (ip !== undefined && !this.#connectionsByIp.tryAcquire(ip, perIp)) {
      if (identity !== undefined) this.#connectionsByIdentity.release(identity);
      throw limitError('CONNECTION_LIMIT', LIMITS.connectionsIp, perIp, 1);
    }
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        if (identity !== undefined) this.#connectionsByIdentity.release(identity);
        if (ip !== undefined) this.#connectionsByIp.release(ip);
      },
    };
  }

  /** Open WebSocket connections counted for an identity. */
  connectionsOf(identity: Identity): number {
    return this.#connectionsByIdentity.count(identity.toHex());
  }

  /**
   * Reserves a new database for `owner`, who owns `owned` now; DATABASE_LIMIT at the cap.
   * Call the returned function when the publish ended (created or not).
   */
  reserveDatabase(owner: Identity, owned: number): () => void {
    const max = this.settings.databasesPerIdentity;
    if (max === 0) return () => undefined;
    const key = owner.toHex();
    if (owned + this.#creating.count(key) >= max)
      throw limitError('DATABASE_LIMIT', LIMITS.databasesIdentity, max, undefined);
    this.#creating.tryAcquire(key, Number.MAX_SAFE_INTEGER);
    let held = true;
    return () => {
      if (held) this.#creating.release(key);
      held = false;
    };
  }

  #admitCall(identity: string, ip: string | undefined): void {
    const byIdentity = this.#callsByIdentity?.take(identity);
    if (byIdentity !== undefined && !byIdentity.ok) {
      const max = this.settings.callsPerSecondPerIdentity;
      const after = retryAfterSeconds(byIdentity.retryAfterMs);
      throw limitError('RATE_LIMITED', LIMITS.callsIdentity, max, after);
    }
    const byIp = ip === undefined ? undefined : this.#callsByIp?.take(ip);
    if (byIp !== undefined && !byIp.ok) {
      const max = this.settings.callsPerSecondPerIp;
      throw limitError('RATE_LIMITED', LIMITS.callsIp, max, retryAfterSeconds(byIp.retryAfterMs));
    }
  }

  /** The per-address key of `address`, or undefined when it is exempt. */
  #ipKey(address: string): string | undefined {
    const { key, loopback } = addressKey(address);
    return loopback && this.settings.exemptLoopback ? undefined : key;
  }
}
