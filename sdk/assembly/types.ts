import { Reader, Writer, readValue } from './bsatn';
/** Identity, ConnectionId, Timestamp, ScheduleAt and Opt: the special column and argument types. */

const HEX = '0123456789abcdef';

/** A 32-byte identity (little-endian u256 on the wire; printed big-endian as 64 hex digits). */
export class Identity {
  bytes: StaticArray<u8> = new StaticArray<u8>(32);

  static fromParts(p0: i64, p1: i64, p2: i64, p3: i64): Identity {
    const id = new Identity();
    const ptr = changetype<usize>(id.bytes);
    store<i64>(ptr, p0);
    store<i64>(ptr + 8, p1);
    store<i64>(ptr + 16, p2);
    store<i64>(ptr + 24, p3);
    return id;
  }

  /** 64 lowercase hex digits, big-endian. */
  toHex(): string {
    let s = '';
    for (let i = 31; i >= 0; i--) {
      const b = this.bytes[i];
      s += HEX.charAt(b >> 4) + HEX.charAt(b & 15);
    }
    return s;
  }

  /** The first 8 hex digits, for log lines. */
  short(): string {
    return this.toHex().substring(0, 8);
  }

  /** Byte equality; `==` and `!=` below call it, so `row.owner != ctx.sender` compiles. */
  equals(other: Identity): bool {
    for (let i = 0; i < 32; i++) if (this.bytes[i] != other.bytes[i]) return false;
    return true;
  }

  @operator('==')
  static eq(a: Identity | null, b: Identity | null): bool {
    // Pointers, not `a === null`: inside an operator overload flow typing does not narrow.
    const pa = changetype<usize>(a);
    const pb = changetype<usize>(b);
    if (pa == 0 || pb == 0) return pa == pb;
    return changetype<Identity>(pa).equals(changetype<Identity>(pb));
  }

  @operator('!=')
  static ne(a: Identity | null, b: Identity | null): bool {
    return !Identity.eq(a, b);
  }
}

/** A 16-byte connection id (little-endian u128); all zero = none. */
export class ConnectionId {
  bytes: StaticArray<u8> = new StaticArray<u8>(16);

  static fromParts(p0: i64, p1: i64): ConnectionId {
    const id = new ConnectionId();
    const ptr = changetype<usize>(id.bytes);
    store<i64>(ptr, p0);
    store<i64>(ptr + 8, p1);
    return id;
  }

  isZero(): bool {
    for (let i = 0; i < 16; i++) if (this.bytes[i] != 0) return false;
    return true;
  }

  equals(other: ConnectionId): bool {
    for (let i = 0; i < 16; i++) if (this.bytes[i] != other.bytes[i]) return false;
    return true;
  }

  /** Byte equality, so `a == b` compares values, not references (null equals only null). */
  @operator('==')
  static eq(a: ConnectionId | null, b: ConnectionId | null): bool {
    // Pointers, not `a === null`: inside an operator overload flow typing does not narrow.
    const pa = changetype<usize>(a);
    const pb = changetype<usize>(b);
    if (pa == 0 || pb == 0) return pa == pb;
    return changetype<ConnectionId>(pa).equals(changetype<ConnectionId>(pb));
  }

  @operator('!=')
  static ne(a: ConnectionId | null, b: ConnectionId | null): bool {
    return !ConnectionId.eq(a, b);
  }
}

/** Microseconds since the Unix epoch. */
export class Timestamp {
  constructor(public micros: i64 = 0) {}
}

/**
 * When a schedule row's reducer runs: `ScheduleAt.interval(micros)` repeats every `micros`
 * microseconds (the first run one interval after the row is inserted), `ScheduleAt.time(t)`
 * runs once at `t` and then its row is deleted. SATS: the sum
 * `Interval(TimeDuration) | Time(Timestamp)`, as in SpacetimeDB.
 */
export class ScheduleAt {
  /** 0 = Interval, 1 = Time. */
  tag: u8 = 0;
  /** The interval's length, or the time (microseconds since the Unix epoch). */
  micros: i64 = 0;

  static interval(micros: i64): ScheduleAt {
    const s = new ScheduleAt();
    s.tag = 0;
    s.micros = micros;
    return s;
  }

  static time(at: Timestamp): ScheduleAt {
    const s = new ScheduleAt();
    s.tag = 1;
    s.micros = at.micros;
    return s;
  }

  isInterval(): bool {
    return this.tag == 0;
  }

  isTime(): bool {
    return this.tag == 1;
  }

  /** @hidden used by writeValue */
  __encode(w: Writer): void {
    w.u8(this.tag);
    w.u64(<u64>this.micros);
  }

  /** @hidden used by readValue */
  __decode(r: Reader): void {
    this.tag = r.u8();
    if (this.tag > 1) abort('BSATN ScheduleAt tag is not 0 or 1');
    this.micros = <i64>r.u64();
  }
}

/**
 * A present value for a nullable column of a value type: `Opt<i32> | null` is an optional i32
 * (AssemblyScript cannot make `i32` itself nullable). Reference types use `T | null` directly.
 */
export class Opt<T> {
  readonly __isOpt: bool = true;
  constructor(public value: T = <T>0) {}

  /** @hidden used by readValue */
  __readFrom(r: Reader): void {
    this.value = readValue<T>(r);
  }
}
