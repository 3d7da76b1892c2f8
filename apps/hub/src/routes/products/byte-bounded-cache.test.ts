import { ByteBoundedCache } from './byte-bounded-cache';

describe('ByteBoundedCache', () => {
  test('keeps the most recently used values within its byte limit', () => {
    const cache = new ByteBoundedCache<Buffer>(10, (b) => b.byteLength);
    cache.set('a', Buffer.alloc(4));
    cache.set('b', Buffer.alloc(4));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('c', Buffer.alloc(4)); // 12 bytes: b, the least recent, goes
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    cache.set('c', Buffer.alloc(2));
    cache.set('d', Buffer.alloc(4));
    expect([cache.get('a'), cache.get('c'), cache.get('d')].every(Boolean)).toBe(true);
  });
});
