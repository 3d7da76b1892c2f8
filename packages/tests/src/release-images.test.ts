import { PLATFORM } from '@aerial/contracts';
import { AERIAL_PIPELINE } from '@aerial/definition';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './test-support/hub-process';

type Step = { env?: Record<string, string>; run?: string };
type Workflow = {
  jobs: Record<string, { env?: Record<string, string>; steps?: Step[]; strategy?: { matrix: unknown } }>;
};
const workflow = (name: string) =>
  parse(readFileSync(join(REPO_ROOT, '.github', 'workflows', `${name}.yml`), 'utf8')) as Workflow;

/**
 * The release builds exactly the images the deployments pull: every container image a pipeline
 * stage names, and the Hub's, under PLATFORM.imageRegistry; and writes the tag file the charts read.
 */
describe('release images', () => {
  const images = workflow('images');
  const matrix = (images.jobs.image!.strategy!.matrix as { include: { image: string; dockerfile: string }[] }).include;

  test('the images workflow builds every stage image and the Hub, each from its Dockerfile', () => {
    const stageImages = [...new Set(AERIAL_PIPELINE.stages.map((s) => s.image))].sort();
    expect(matrix.map((m) => m.image).sort()).toEqual([...stageImages, 'aerial-hub'].sort());
    for (const m of matrix) expect(existsSync(join(REPO_ROOT, m.dockerfile))).toBe(true);
  });

  test('it pushes to the platform registry and rewrites the tag file the charts read', () => {
    expect(images.jobs.image!.env!.IMAGE).toMatch(
      new RegExp(`^${PLATFORM.imageRegistry}/\\$\\{\\{ matrix\\.image \\}\\}:`),
    );
    const file = images.jobs.tags!.steps!.find((s) => s.env?.FILE)!.env!.FILE!;
    expect(existsSync(join(REPO_ROOT, file))).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as object).sort()).toEqual([
      'dev',
      'prod',
      'staging',
    ]);
    const promote = workflow('promote').jobs.promote!.steps!;
    expect(promote.find((s) => s.env?.FILE)?.env?.FILE).toBe(file);
    const check = promote.find((s) => s.env?.IMAGES)!;
    expect(check.env!.IMAGES!.split(' ').sort()).toEqual(matrix.map((m) => m.image).sort());
  });
});
