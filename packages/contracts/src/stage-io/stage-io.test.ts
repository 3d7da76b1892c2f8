import { STAGE_NAMES } from '../stages';
import {
  declaredOutput,
  type OutputDeclaration,
  parseStageManifest,
  STAGE_IO,
  stageOutputKey,
  undeclaredRoles,
} from './stage-io';

describe('stage I/O declarations', () => {
  test('every stage declares its outputs once each, and every read names a role its stage declares', () => {
    for (const stage of STAGE_NAMES) {
      const roles = STAGE_IO[stage].outputs.map((o) => o.role);
      expect(new Set(roles).size).toBe(roles.length);
      for (const read of STAGE_IO[stage].reads) {
        expect(STAGE_IO[read.stage].outputs.map((o) => o.role)).toContain(read.role);
      }
    }
  });

  test('a role of many objects or a prefix is a folder; one object is a file', () => {
    for (const stage of STAGE_NAMES)
      for (const output of STAGE_IO[stage].outputs as readonly OutputDeclaration[]) {
        if (output.path === undefined) continue;
        expect(output.path.endsWith('/')).toBe(output.shape !== 'one');
      }
  });

  test("the keys of outputs follow the stage's folder", () => {
    expect(stageOutputKey('job-1', 'Ingest', 'image-records')).toBe('jobs/job-1/Ingest/image-records.json');
    expect(stageOutputKey('job-1', 'Metadata', 'stac-item', 'a.json')).toBe('jobs/job-1/Metadata/stac/items/a.json');
    expect(() => stageOutputKey('job-1', 'Publish', 'published')).toThrow(/not kept under the stage's folder/);
  });

  test('a manifest entry takes its content type from the declaration', () => {
    expect(declaredOutput('Footprints', 'footprints-geojson', { key: 'k', bytes: 3 })).toEqual({
      key: 'k',
      contentType: 'application/geo+json',
      bytes: 3,
      role: 'footprints-geojson',
    });
  });

  test('roles a stage does not declare are named', () => {
    expect(undeclaredRoles('Tiles', [{ role: 'tiles' }, { role: 'stac' }, { role: 'stac' }])).toEqual(['stac']);
    expect(undeclaredRoles('Tiles', [{ role: 'tiles' }, { role: 'tilejson' }])).toEqual([]);
  });

  describe('parseStageManifest', () => {
    const manifest = (summary: Record<string, unknown>) => ({
      jobId: 'job-1',
      stage: 'Splat',
      startedAt: '2026-11-29T10:00:00Z',
      finishedAt: '2026-11-29T10:01:00Z',
      outputs: [],
      summary,
    });
    const summary = { splats: 10, trained: false, trainer: null, shDegree: 0, note: 'untrained' };

    test("types the summary with the stage's schema", () => {
      const parsed = parseStageManifest('Splat', manifest(summary));
      expect(parsed.summary.trained).toBe(false);
    });

    test('refuses a summary that lacks what readers rely on, naming the fields', () => {
      expect(() => parseStageManifest('Splat', manifest({ splats: 10 }))).toThrow(/invalid Splat summary: trained/);
    });

    test("refuses another stage's manifest", () => {
      expect(() => parseStageManifest('Compress', manifest(summary))).toThrow(/manifest of Splat/);
    });
  });
});
