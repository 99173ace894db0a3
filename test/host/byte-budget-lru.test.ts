import { describe, expect, it } from 'vitest';
import { ByteBudgetLru } from '../../runtime/host/byte-budget-lru.js';

interface Item {
  bytes: number;
  readonly db: string;
}

function lru(budgetBytes: number) {
  const evicted: string[] = [];
  const cache = new ByteBudgetLru<Item>({
    budgetBytes,
    sizeOf: item => item.bytes,
    onEvict: key => evicted.push(key),
  });
  return { cache, evicted };
}

describe('ByteBudgetLru', () => {
  it('evicts the least recently used entries until the total fits the budget', () => {
    const { cache, evicted } = lru(100);
    cache.set('a', { bytes: 40, db: 'x' });
    cache.set('b', { bytes: 40, db: 'y' });
    cache.set('c', { bytes: 40, db: 'z' });
    expect(cache.totalBytes()).toBe(120);
    cache.enforce('c');
    expect(evicted).toEqual(['a']);
    expect(cache.keys()).toEqual(['b', 'c']);
    expect(cache.totalBytes()).toBe(80);
    expect(cache.evictions).toBe(1);
  });

  it('counts a use by get as recent, but not a peek', () => {
    const { cache, evicted } = lru(100);
    cache.set('a', { bytes: 40, db: 'x' });
    cache.set('b', { bytes: 40, db: 'y' });
    expect(cache.get('a')?.db).toBe('x');
    expect(cache.peek('b')?.db).toBe('y');
    cache.set('c', { bytes: 40, db: 'z' });
    cache.enforce('c');
    expect(evicted).toEqual(['b']);
    expect(cache.keys()).toEqual(['a', 'c']);
  });

  it('reads sizes again at every enforce (entries grow), and never evicts the kept one', () => {
    const { cache, evicted } = lru(100);
    const a = { bytes: 10, db: 'x' };
    const b = { bytes: 10, db: 'y' };
    cache.set('a', a);
    cache.set('b', b);
    cache.enforce('b');
    expect(evicted).toEqual([]);
    b.bytes = 150;
    cache.enforce('b');
    // `a` goes; `b` alone exceeds the budget but is in use, so it stays.
    expect(evicted).toEqual(['a']);
    expect(cache.keys()).toEqual(['b']);
    cache.enforce();
    expect(evicted).toEqual(['a', 'b']);
    expect(cache.size).toBe(0);
  });

  it('deletes by predicate (every entry of one database) and hands each to onEvict once', () => {
    const { cache, evicted } = lru(1000);
    cache.set('x|1', { bytes: 1, db: 'x' });
    cache.set('y|1', { bytes: 1, db: 'y' });
    cache.set('x|2', { bytes: 1, db: 'x' });
    expect(cache.deleteWhere((_k, v) => v.db === 'x')).toBe(2);
    expect(evicted).toEqual(['x|1', 'x|2']);
    expect(cache.keys()).toEqual(['y|1']);
    expect(cache.delete('x|1')).toBe(false);
    expect(cache.delete('y|1')).toBe(true);
    expect(evicted).toEqual(['x|1', 'x|2', 'y|1']);
    // Deletions are not budget evictions.
    expect(cache.evictions).toBe(0);
  });

  it('evicts a replaced value', () => {
    const { cache, evicted } = lru(1000);
    const first = { bytes: 1, db: 'x' };
    cache.set('a', first);
    cache.set('a', first);
    expect(evicted).toEqual([]);
    cache.set('a', { bytes: 2, db: 'x' });
    expect(evicted).toEqual(['a']);
    expect(cache.totalBytes()).toBe(2);
  });
});
