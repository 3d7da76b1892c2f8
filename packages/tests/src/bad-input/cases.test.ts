import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badInputCases, countByTarget } from './cases';
import { writeCorpus } from './write-corpus';

describe('the bad-input corpus', () => {
  test('holds at least 60 cases, across every entry point, each with a unique id', () => {
    expect(badInputCases.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(countByTarget()).sort()).toEqual(
      ['cli', 'cli-job', 'config', 'hub-api', 'hub-job', 'hub-upload', 'ingest-archive', 'ingest-file', 'mqtt'].sort(),
    );
    const ids = badInputCases.map((c) => `${c.target}:${c.id}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('writes its files and archives out for trying by hand', async () => {
    const out = mkdtempSync(join(tmpdir(), 'aerial-corpus-out-'));
    try {
      await writeCorpus(out);
      expect(readdirSync(join(out, 'images')).length).toBe(countByTarget()['ingest-file']);
      expect(readdirSync(join(out, 'archives')).length).toBe(countByTarget()['ingest-archive']);
      expect(existsSync(join(out, 'archives', 'zip-slip.zip'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
