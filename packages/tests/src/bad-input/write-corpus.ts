import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { countByTarget } from './cases';
import { archiveCases, imageCases } from './ingest-cases';
import { goodPhotos } from './photos';

/**
 * Writes the corpus's files and archives to a folder, to feed the Hub page or the CLI by hand:
 * `images/<id>/` holds the good photos plus one bad file, `archives/<id>.zip` one bad archive.
 */
export async function writeCorpus(out: string): Promise<void> {
  const good = await goodPhotos(join(out, 'survey'));
  for (const c of imageCases) {
    const dir = join(out, 'images', c.id);
    mkdirSync(dir, { recursive: true });
    good.forEach((bytes, i) => writeFileSync(join(dir, `GOOD_${i}.JPG`), bytes));
    writeFileSync(join(dir, c.name), await c.build({ good }));
  }
  mkdirSync(join(out, 'archives'), { recursive: true });
  for (const c of archiveCases) writeFileSync(join(out, 'archives', `${c.id}.zip`), await c.build({ good }));
}

if (require.main === module) {
  const out = resolve(process.argv[2] ?? 'bad-input-corpus');
  writeCorpus(out).then(
    () => process.stdout.write(`bad-input corpus written to ${out}\n${JSON.stringify(countByTarget(), null, 2)}\n`),
    (e: unknown) => {
      process.stderr.write(`write-corpus: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
