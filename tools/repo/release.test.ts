import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inc } from './semver-inc';
import { createTempClone, type TempClone } from './temp-clone';
import { readDeclaredGraph, withDependents } from './workspace-graph';

/**
 * GIVEN a changeset on contracts, WHEN `changeset version` and `changeset tag` run, THEN contracts
 * gets a minor bump, every dependent a patch bump, each a `@aerial/<name>@<version>` tag, and
 * `npx projen` keeps the new versions.
 */
describe('changesets release', () => {
  let clone: TempClone;
  beforeAll(() => {
    clone = createTempClone();
    // Start from a released state: changesets already pending in the working tree are not ours.
    for (const file of readdirSync(join(clone.dir, '.changeset'))) {
      if (file.endsWith('.md') && file !== 'README.md') rmSync(join(clone.dir, '.changeset', file));
    }
    clone.git('add', '-A');
    clone.git('commit', '-q', '--allow-empty', '-m', 'release pending changesets');
  });
  afterAll(() => clone?.remove());

  const version = (dir: string) => (JSON.parse(clone.read(`${dir}/package.json`)) as { version: string }).version;

  test('versions and tags contracts and its dependents', () => {
    const graph = readDeclaredGraph(clone.dir);
    const before = new Map([...graph.values()].map((p) => [p.name, version(p.dir)]));
    const bumped = withDependents(graph, 'contracts');

    clone.write('.changeset/contracts-change.md', '---\n"@aerial/contracts": minor\n---\n\nNew job request options.\n');
    clone.git('add', '-A');
    clone.git('commit', '-q', '-m', 'add a changeset');
    clone.run('node_modules/.bin/changeset', ['version']);

    for (const pkg of graph.values()) {
      const old = before.get(pkg.name) as string;
      const expected =
        pkg.name === 'contracts' ? inc(old, 'minor') : bumped.includes(pkg.name) ? inc(old, 'patch') : old;
      expect({ pkg: pkg.name, version: version(pkg.dir) }).toEqual({ pkg: pkg.name, version: expected });
    }
    expect(clone.read('packages/contracts/CHANGELOG.md')).toContain('New job request options.');

    clone.git('add', '-A');
    clone.git('commit', '-q', '-m', 'version packages');
    clone.run('node_modules/.bin/changeset', ['tag']);
    const tags = clone.git('tag', '--list').split('\n').filter(Boolean).sort();
    const expectedTags = [...graph.values()].map((p) => `@aerial/${p.name}@${version(p.dir)}`).sort();
    expect(tags).toEqual(expectedTags);

    // projen owns package.json but must carry the version changesets wrote.
    clone.run('node_modules/.bin/projen', []);
    expect(clone.git('status', '--porcelain')).toBe('');
    expect(version('packages/contracts')).toBe(inc(before.get('contracts') as string, 'minor'));
  });
});
