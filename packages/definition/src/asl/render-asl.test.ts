import { AERIAL_PIPELINE, type PipelineDefinition } from '../pipeline-definition';
import { renderAsl, STATE, substitute, type AslState } from './render-asl';
import { assertValidAsl } from './validate-asl';

const asl = renderAsl(AERIAL_PIPELINE);

describe('renderAsl', () => {
  test('passes asl-validator, before and after substitution', () => {
    expect(() => assertValidAsl(asl)).not.toThrow();
    const arn = (kind: string, name: string) => `arn:aws:${kind}:eu-west-1:000000000000:${name}`;
    const values: Record<string, string> = {
      JobQueueArnPrefix: arn('batch', 'job-queue/aerial-dev-'),
      GpuJobQueueArnPrefix: arn('batch', 'job-queue/aerial-dev-gpu-'),
    };
    for (const stage of AERIAL_PIPELINE.stages) {
      values[`${stage.name}FunctionArn`] = arn('lambda', `function:aerial-${stage.name}`);
      values[`${stage.name}JobDefinitionArn`] = arn('batch', `job-definition/aerial-${stage.name}`);
    }
    expect(() => assertValidAsl(substitute(asl, values))).not.toThrow();
  });

  test('the whole job times out after 2 hours by default', () => {
    expect(asl.TimeoutSeconds).toBe(7200);
    expect(asl.StartAt).toBe('GuardBudget');
  });

  test('container stages are Batch submitJob.sync tasks, light stages Lambda invocations', () => {
    expect(asl.States.Ingest).toMatchObject({
      Resource: 'arn:aws:states:::batch:submitJob.sync',
      Parameters: { JobDefinition: '${IngestJobDefinitionArn}' },
      ResultPath: null,
    });
    expect(asl.States.GuardBudget).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: '${GuardBudgetFunctionArn}',
        Payload: { 'jobId.$': '$.jobId', stage: 'GuardBudget' },
      },
    });
  });

  test('GPU stages go to the GPU queues', () => {
    const splat = (asl.States.Products as unknown as { Branches: { States: Record<string, AslState> }[] }).Branches[1]!
      .States.Splat!;
    expect((splat.Parameters as Record<string, string>)['JobQueue.$']).toContain('${GpuJobQueueArnPrefix}');
    expect((asl.States.Ingest!.Parameters as Record<string, string>)['JobQueue.$']).toContain('${JobQueueArnPrefix}');
  });

  test('every task sets its own timeout and retries transient errors with backoff', () => {
    const tasks = allStates(asl.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBe(AERIAL_PIPELINE.stages.length + 1);
    for (const [name, state] of tasks) {
      expect({ name, timeout: typeof state.TimeoutSeconds }).toEqual({ name, timeout: 'number' });
      const [retry] = state.Retry as { BackoffRate: number; ErrorEquals: string[] }[];
      expect(retry!.BackoffRate).toBeGreaterThan(1);
      expect(retry!.ErrorEquals).not.toContain('States.ALL');
    }
    expect((asl.States.GuardBudget!.Retry as { ErrorEquals: string[] }[])[0]!.ErrorEquals).toContain(
      'Aerial.Transient',
    );
  });

  test('failures are caught, recorded by Notify, then the job fails with the named error', () => {
    for (const name of ['GuardBudget', 'Ingest', 'Footprints', 'Products', 'Metadata', 'Publish']) {
      expect(asl.States[name]!.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE.notifyFailure },
      ]);
    }
    expect(asl.States[STATE.notifyFailure]).toMatchObject({ Next: STATE.failed, ResultPath: '$.failureNotice' });
    expect(asl.States[STATE.failed]).toEqual({
      Type: 'Fail',
      ErrorPath: '$.failureNotice.name',
      CausePath: '$.failureNotice.reason',
    });
  });

  test('SfM runs before the product branches (the orthomosaic uses its poses), gated like them', () => {
    expect(asl.States['Check SfM']).toMatchObject({
      Choices: [
        {
          Or: [
            { Variable: '$.request.preset', StringEquals: '3d' },
            { Variable: '$.request.preset', StringEquals: 'full' },
          ],
          Next: 'SfM',
        },
      ],
    });
  });

  test('2D and 3D branches run in parallel, each gated by the presets that include it', () => {
    const products = asl.States.Products as unknown as {
      Branches: { StartAt: string; States: Record<string, AslState> }[];
    };
    expect(products.Branches.map((b) => b.StartAt)).toEqual(['Check Orthomosaic', 'Check Splat']);
    expect(products.Branches[0]!.States['Check Orthomosaic']).toMatchObject({
      Choices: [
        {
          Or: [
            { Variable: '$.request.preset', StringEquals: 'map' },
            { Variable: '$.request.preset', StringEquals: 'full' },
          ],
          Next: 'Orthomosaic',
        },
      ],
      Default: 'Skip Orthomosaic',
    });
    expect(products.Branches[1]!.States['Check Splat']).toMatchObject({
      Choices: [
        {
          Or: [
            { Variable: '$.request.preset', StringEquals: 'full' },
            { Variable: '$.request.preset', StringEquals: '3d' },
          ],
          Next: 'Splat',
        },
      ],
      Default: 'Skip Splat',
    });
    expect(asl.States['Check Products']).toMatchObject({ Default: 'Check Metadata' });
  });

  test('the payload stays small: no task keeps its result except the failure notice', () => {
    const keeping = allStates(asl.States).filter(([, s]) => s.Type === 'Task' && s.ResultPath !== null);
    expect(keeping.map(([n]) => n)).toEqual([STATE.notifyFailure]);
  });

  test('substitute names every placeholder left without a value', () => {
    expect(() => substitute(asl, { JobQueueArnPrefix: 'x' })).toThrow(
      /no value for ASL placeholders: .*CompressJobDefinitionArn.*GuardBudgetFunctionArn/,
    );
  });

  test('refuses a flow that forgets a stage', () => {
    const broken: PipelineDefinition = {
      ...AERIAL_PIPELINE,
      flow: AERIAL_PIPELINE.flow.filter((s) => s !== 'Footprints'),
    };
    expect(() => renderAsl(broken)).toThrow(/flow is inconsistent: missing Footprints/);
  });

  test('refuses JSONata', () => {
    expect(() =>
      assertValidAsl({
        ...asl,
        States: { ...asl.States, JobSucceeded: { Type: 'Succeed', QueryLanguage: 'JSONata' } },
      }),
    ).toThrow(/JSONata is not supported/);
  });
});

function allStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...((state.Branches as { States: Record<string, AslState> }[] | undefined) ?? []).flatMap((b) =>
      allStates(b.States),
    ),
  ]);
}
