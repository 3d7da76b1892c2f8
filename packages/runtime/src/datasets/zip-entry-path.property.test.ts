import fc from 'fast-check';
import { posix } from 'node:path';
import { entryPathProblem } from './zip-entry-path';

/** Zip slip: no name the check lets through can land outside the folder it is unpacked into. */
describe('zip entry path: properties', () => {
  const part = fc.oneof(
    fc.constantFrom('..', '.', '', 'photos', 'a b', '\\', 'C:', '/', '..\\'),
    fc.stringMatching(/^[A-Za-z0-9._ -]{1,10}$/),
    fc.string({ maxLength: 6 }),
  );
  const name = fc
    .tuple(fc.array(part, { minLength: 1, maxLength: 6 }), fc.constantFrom('/', '\\'))
    .map(([parts, sep]) => parts.join(sep));

  test('every name it accepts stays inside the archive folder once resolved', () => {
    fc.assert(
      fc.property(fc.oneof(name, fc.string()), (entry) => {
        if (entryPathProblem(entry) !== undefined) return;
        const resolved = posix.resolve('/unpack/here', entry.replace(/\\/g, '/'));
        expect(resolved === '/unpack/here' || resolved.startsWith('/unpack/here/')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('a ".." segment, with either separator, is always refused', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/).filter((s) => s !== '..');
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 3 }),
        fc.array(segment, { maxLength: 3 }),
        fc.constantFrom('/', '\\'),
        (a, b, sep) => {
          expect(entryPathProblem([...a, '..', ...b].join(sep))).toMatch(/climbs out of the archive/);
        },
      ),
    );
  });

  test('an absolute or drive-rooted name is always refused', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('/', '\\', 'C:', 'z:/', '\\\\server\\share\\'), (rest, root) => {
        expect(entryPathProblem(`${root}${rest}`)).toMatch(/absolute path|climbs out|NUL/);
      }),
    );
  });

  test('plain relative names of safe characters are accepted as they are', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._ -]{0,15}$/).filter((s) => s !== '..');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (parts) => {
        expect(entryPathProblem(parts.join('/'))).toBeUndefined();
      }),
    );
  });
});
