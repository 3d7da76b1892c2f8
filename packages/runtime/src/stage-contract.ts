import {
  AerialError,
  type StageManifest,
  type StageName,
  type StageOutput,
  stageSummarySchema,
  undeclaredRoles,
} from '@aerial/contracts';

/**
 * Holds a stage's result to its declaration: every output's role declared, the summary valid by
 * the stage's schema (as stored: JSON). A stage that strays is a bug in it, `Aerial.Internal`,
 * caught before any reader depends on what it wrote. Returns the summary as stored.
 */
export function checkStageResult(
  stage: StageName,
  result: { readonly outputs: readonly StageOutput[]; readonly summary: Record<string, unknown> },
): StageManifest['summary'] {
  const undeclared = undeclaredRoles(stage, result.outputs);
  if (undeclared.length)
    throw new AerialError(
      'Aerial.Internal',
      `stage ${stage} wrote output roles its declaration lacks: ${undeclared.join(', ')}`,
      'declare the roles in STAGE_IO (@aerial/contracts) or write the declared ones',
    );
  const summary = JSON.parse(JSON.stringify(result.summary)) as StageManifest['summary'];
  const parsed = stageSummarySchema(stage).safeParse(summary);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new AerialError(
      'Aerial.Internal',
      `stage ${stage} reported a summary its schema refuses: ${problems.join('; ')}`,
      'fix the stage or its summary schema in STAGE_IO (@aerial/contracts)',
    );
  }
  return summary;
}
