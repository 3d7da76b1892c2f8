import { generateSurvey } from '@aerial/sample-data';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeNotebook, type ExecutedNotebook, notebookPage, notebooksUnavailable } from './notebooks';

// The notebooks run on a job the CLI makes from a small generated survey, as a user's would on
// theirs; their figures are checked against the catalog read here with DuckDB itself.
const repoRoot = join(__dirname, '..', '..', '..');
const CLI = join(repoRoot, 'apps', 'workers', 'lib', 'cli', 'main.js');

interface Publication {
  runId: string;
  gsdCm: number;
}

describe('the analysis notebooks on a generated job', () => {
  let root: string;
  let run: string;
  let publication: Publication;
  let catalog: { photos: number; accepted: number; min: number; mean: number; max: number };
  const executed = new Map<string, ExecutedNotebook>();

  beforeAll(async () => {
    const missing = notebooksUnavailable();
    if (missing) throw new Error(missing);
    if (!existsSync(CLI)) throw new Error(`${CLI} is not built: run "pnpm nx run workers:build"`);
    root = mkdtempSync(join(tmpdir(), 'aerial-notebooks-test-'));
    // 12 small photos: about 30 s to render and process on two cores.
    await generateSurvey({
      outDir: join(root, 'survey'),
      widthPx: 640,
      heightPx: 480,
      areaWidthM: 50,
      areaHeightM: 40,
      seed: 3,
    });
    execFileSync(process.execPath, [CLI, 'process', join(root, 'survey', 'images')], {
      env: { ...process.env, AERIAL_DATA_DIR: join(root, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    });
    const published = join(root, 'data', 'objects', 'published');
    const [job] = readdirSync(published);
    publication = JSON.parse(readFileSync(join(published, job!, 'current.json'), 'utf8')) as Publication;
    run = join(published, job!, publication.runId);

    const { DuckDBInstance } = await import('@duckdb/node-api');
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::INTEGER AS photos, count(*) FILTER (accepted)::INTEGER AS accepted,
              min(gsd_cm) FILTER (accepted) AS min, avg(gsd_cm) FILTER (accepted) AS mean,
              max(gsd_cm) FILTER (accepted) AS max
       FROM read_parquet('${join(run, 'catalog', 'images.parquet')}')`,
    );
    catalog = reader.getRowObjectsJson()[0] as typeof catalog;
  }, 420_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const notebook = (name: 'coverage' | 'gsd') => {
    if (!executed.has(name)) executed.set(name, executeNotebook(repoRoot, name, run, join(root, name)));
    return executed.get(name)!;
  };
  const isPng = (path: string) => readFileSync(path).subarray(1, 4).toString() === 'PNG';

  test('coverage: counts the catalog photos, covers the orthomosaic, and plots it', () => {
    const { figures, out } = notebook('coverage');
    expect(figures).toMatchObject({ photos: catalog.photos, accepted: catalog.accepted });
    expect(catalog.photos).toBeGreaterThan(4);
    // The footprints of a survey with 70/60 % overlap: most ground is seen more than once.
    expect(figures.seen_by_2_or_more).toBeGreaterThan(0.5);
    expect(figures.most_photos_of_one_cell).toBeGreaterThanOrEqual(4);
    // The mosaic is made of the footprints: the two areas agree within a few per cent.
    const covered = figures.covered_m2 as number;
    expect(Math.abs(covered - (figures.orthomosaic_m2 as number)) / covered).toBeLessThan(0.05);
    expect(isPng(join(out, 'coverage.png'))).toBe(true);
  });

  test('gsd: the photos’ GSD equals the catalog’s, the orthomosaic’s equals STAC’s and the publication’s', () => {
    const { figures, out } = notebook('gsd');
    expect(figures.photos).toBe(catalog.accepted);
    expect(figures.min_cm).toBeCloseTo(catalog.min, 3);
    expect(figures.mean_cm).toBeCloseTo(catalog.mean, 3);
    expect(figures.max_cm).toBeCloseTo(catalog.max, 3);
    expect(figures.orthomosaic_stac_cm).toBeCloseTo(publication.gsdCm, 3);
    expect(figures.orthomosaic_catalog_cm).toBeCloseTo(publication.gsdCm, 3);
    expect(isPng(join(out, 'gsd.png'))).toBe(true);
  });

  test('an executed notebook becomes a page with its code, outputs and plot', () => {
    const pages = join(root, 'pages');
    const page = readFileSync(notebookPage(notebook('gsd'), 'gsd', pages, 'a test page'), 'utf8');
    expect(page).toMatch(/^# Ground sample distance\n\n> a test page\n/);
    expect(page).toContain('```python\n');
    expect(page).toContain('read_parquet');
    const plot = /!\[gsd plot\]\((gsd_files\/[^)]+\.png)\)/.exec(page);
    expect(plot).not.toBeNull();
    expect(isPng(join(pages, plot![1]!))).toBe(true);
  });
});
