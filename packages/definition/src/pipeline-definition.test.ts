import {
  AERIAL_PIPELINE,
  type PipelineDefinition,
  type StageDefinition,
  validateDefinition,
} from './pipeline-definition';

/** The Aerial pipeline with one stage changed. */
function withStage(name: StageDefinition['name'], change: Partial<StageDefinition>): PipelineDefinition {
  return { ...AERIAL_PIPELINE, stages: AERIAL_PIPELINE.stages.map((s) => (s.name === name ? { ...s, ...change } : s)) };
}

describe('validateDefinition', () => {
  test('the Aerial pipeline reads only roles that earlier stages declare', () => {
    expect(() => validateDefinition(AERIAL_PIPELINE)).not.toThrow();
  });

  test("reads and writes come from the stages' I/O declarations", () => {
    const metadata = AERIAL_PIPELINE.stages.find((s) => s.name === 'Metadata')!;
    expect(metadata.writes).toEqual([
      'stac-collection',
      'stac-item',
      'catalog-images',
      'catalog-products',
      'enrichment',
      'quality-report',
    ]);
    expect(metadata.reads).toContainEqual({ stage: 'Compress', role: 'sog', optional: true });
  });

  test('GIVEN a read of a role its stage does not declare THEN the definition is refused', () => {
    const definition = withStage('Tiles', { reads: [{ stage: 'Orthomosaic', role: 'cog' }] });
    expect(() => validateDefinition(definition)).toThrow(
      /Tiles reads "cog" of Orthomosaic, which declares no such output/,
    );
  });

  test('GIVEN a read of a stage that runs later THEN the definition is refused', () => {
    const definition = withStage('Footprints', { reads: [{ stage: 'Metadata', role: 'enrichment' }] });
    expect(() => validateDefinition(definition)).toThrow(
      /Footprints reads "enrichment" of Metadata, which does not run before it/,
    );
  });

  test('GIVEN a read of a sibling parallel branch THEN the definition is refused', () => {
    const definition = withStage('Tiles', { reads: [{ stage: 'Splat', role: 'splats', optional: true }] });
    expect(() => validateDefinition(definition)).toThrow(/Tiles reads "splats" of Splat, which does not run before it/);
  });

  test('GIVEN a required read of a stage missing from one of its presets THEN the definition is refused', () => {
    const definition = withStage('Metadata', { reads: [{ stage: 'Compress', role: 'sog' }] });
    expect(() => validateDefinition(definition)).toThrow(
      /Metadata needs "sog" of Compress, which preset map does not run/,
    );
  });
});
