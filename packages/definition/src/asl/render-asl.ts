import { type Preset, PRESETS, type StageName } from '@aerial/contracts';
import {
  type FlowStep,
  type PipelineDefinition,
  type StageDefinition,
  stageOf,
  validateDefinition,
} from '../pipeline-definition';

/** An Amazon States Language document (JSONPath flavour). */
export interface AslDocument {
  readonly Comment: string;
  readonly StartAt: string;
  readonly TimeoutSeconds: number;
  readonly States: Record<string, AslState>;
}
export type AslState = Record<string, unknown> & { readonly Type: string };

/** Placeholders the deployment fills in (CDK `definitionSubstitutions`, or the local engine). */
export const substitution = {
  functionArn: (stage: StageName) => `${stage}FunctionArn`,
  jobDefinitionArn: (stage: StageName) => `${stage}JobDefinitionArn`,
  /** Queue ARN without its priority suffix; the job's priority (high/normal/low) completes it. */
  jobQueueArnPrefix: 'JobQueueArnPrefix',
  /** The same for stages that need a GPU: their queues hold GPU compute environments. */
  gpuJobQueueArnPrefix: 'GpuJobQueueArnPrefix',
} as const;

export const STATE = {
  notifySuccess: 'NotifySuccess',
  notifyFailure: 'NotifyFailure',
  succeeded: 'JobSucceeded',
  failed: 'JobFailed',
  failedUnnotified: 'JobFailedUnnotified',
} as const;

/** Errors of the AWS service integrations that are worth retrying; stage errors travel by name. */
const LAMBDA_TRANSIENT = [
  'Aerial.Transient',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
// A container's transient failure is retried by the Batch job definition (exit code 75);
// here only the Batch API's own hiccups are.
const BATCH_TRANSIENT = ['Batch.AWSBatchException', 'Batch.ServerException', 'Batch.TooManyRequestsException'];
/** Time a container job may wait in its queue before its state times out. */
const QUEUE_MARGIN_SECONDS = 15 * 60;

const ALL_PRESETS: readonly Preset[] = PRESETS;
const ph = (name: string) => '${' + name + '}';

/**
 * Renders the pipeline as ASL. Orchestrator payloads stay the size of the execution input (job id
 * and request): every task discards its result (`ResultPath: null`) because stages pass data
 * through the object store, by key convention.
 */
export function renderAsl(definition: PipelineDefinition): AslDocument {
  validateDefinition(definition);
  const states: Record<string, AslState> = {};
  const catchToFailure = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE.notifyFailure }];

  const entries = definition.flow.map((step) => entryName(definition, step));
  definition.flow.forEach((step, i) => {
    const next = entries[i + 1] ?? STATE.notifySuccess;
    // The first stage stores the request where every later stage reads it.
    const payload = i === 0 ? { 'request.$': '$.request' } : {};
    const presets = presetsOf(definition, step);
    const body = typeof step === 'string' ? step : step.parallel;
    if (!samePresets(presets, ALL_PRESETS)) states[gateName(body)] = gate(presets, body, next);
    if (typeof step === 'string') {
      states[step] = { ...taskState(stageOf(definition, step), payload), Catch: catchToFailure, Next: next };
    } else {
      states[step.parallel] = {
        Type: 'Parallel',
        Comment: 'independent product branches',
        Branches: step.branches.map((chain) => branch(definition, chain, presets)),
        ResultPath: null,
        Catch: catchToFailure,
        Next: next,
      };
    }
  });

  const notify = stageOf(definition, definition.notify);
  states[STATE.notifySuccess] = {
    ...taskState(notify, { outcome: 'succeeded' }),
    // The products are published; a notification that cannot be sent does not undo that.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: STATE.succeeded }],
    Next: STATE.succeeded,
  };
  states[STATE.notifyFailure] = {
    ...taskState(notify, { outcome: 'failed', 'failure.$': '$.failure' }),
    ResultSelector: { 'name.$': '$.Payload.name', 'reason.$': '$.Payload.reason' },
    ResultPath: '$.failureNotice',
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: STATE.failedUnnotified }],
    Next: STATE.failed,
  };
  states[STATE.succeeded] = { Type: 'Succeed' };
  states[STATE.failed] = { Type: 'Fail', ErrorPath: '$.failureNotice.name', CausePath: '$.failureNotice.reason' };
  states[STATE.failedUnnotified] = { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' };

  return {
    Comment: `${definition.name}: rendered by @aerial/pipeline; do not edit`,
    StartAt: entries[0] as string,
    TimeoutSeconds: definition.timeoutSeconds,
    States: states,
  };
}

function branch(
  definition: PipelineDefinition,
  chain: readonly StageName[],
  outer: readonly Preset[],
): Record<string, unknown> {
  const states: Record<string, AslState> = {};
  const presets = stageOf(definition, chain[0] as StageName).presets;
  const gated = !samePresets(presets, outer);
  const skip = `Skip ${chain[0]}`;
  chain.forEach((name, i) => {
    const next = chain[i + 1];
    states[name] = { ...taskState(stageOf(definition, name)), ...(next ? { Next: next } : { End: true }) };
  });
  if (gated) {
    states[gateName(chain[0] as string)] = gate(presets, chain[0] as string, skip);
    states[skip] = { Type: 'Pass', Comment: 'not part of this preset', End: true };
  }
  return { StartAt: gated ? gateName(chain[0] as string) : chain[0], States: states };
}

function taskState(stage: StageDefinition, payload: Record<string, unknown> = {}): AslState {
  const retry = (errors: string[]) => [
    {
      ErrorEquals: errors,
      IntervalSeconds: stage.retry.intervalSeconds,
      MaxAttempts: stage.retry.attempts - 1,
      BackoffRate: stage.retry.backoffRate,
    },
  ];
  if (stage.kind === 'function') {
    return {
      Type: 'Task',
      Comment: stage.description,
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: ph(substitution.functionArn(stage.name)),
        Payload: { 'jobId.$': '$.jobId', stage: stage.name, ...payload },
      },
      ResultPath: null,
      TimeoutSeconds: stage.timeoutSeconds,
      Retry: retry(LAMBDA_TRANSIENT),
    };
  }
  return {
    Type: 'Task',
    Comment: stage.description,
    Resource: 'arn:aws:states:::batch:submitJob.sync',
    Parameters: {
      'JobName.$': `States.Format('{}-${stage.name}', $.jobId)`,
      JobDefinition: ph(substitution.jobDefinitionArn(stage.name)),
      'JobQueue.$': `States.Format('${ph(stage.resources.gpu > 0 ? substitution.gpuJobQueueArnPrefix : substitution.jobQueueArnPrefix)}{}', $.request.priority)`,
      ContainerOverrides: {
        Environment: [
          { Name: 'AERIAL_JOB_ID', 'Value.$': '$.jobId' },
          { Name: 'AERIAL_STAGE', Value: stage.name },
        ],
      },
    },
    ResultPath: null,
    // Batch's own attempt timeout stops each try; this bounds the queue wait and all attempts.
    TimeoutSeconds: stage.timeoutSeconds * stage.retry.attempts + QUEUE_MARGIN_SECONDS,
    Retry: retry(BATCH_TRANSIENT),
  };
}

function gate(presets: readonly Preset[], target: string, otherwise: string): AslState {
  const tests = presets.map((p) => ({ Variable: '$.request.preset', StringEquals: p }));
  return {
    Type: 'Choice',
    Comment: `runs ${target} for presets ${presets.join(', ')}`,
    Choices: [{ ...(tests.length === 1 ? tests[0] : { Or: tests }), Next: target }],
    Default: otherwise,
  };
}

function entryName(definition: PipelineDefinition, step: FlowStep): string {
  const body = typeof step === 'string' ? step : step.parallel;
  return samePresets(presetsOf(definition, step), ALL_PRESETS) ? body : gateName(body);
}

function gateName(target: string): string {
  return `Check ${target}`;
}

function presetsOf(definition: PipelineDefinition, step: FlowStep): readonly Preset[] {
  const names = typeof step === 'string' ? [step] : step.branches.flat();
  const set = new Set(names.flatMap((n) => stageOf(definition, n).presets));
  return ALL_PRESETS.filter((p) => set.has(p));
}

function samePresets(a: readonly Preset[], b: readonly Preset[]): boolean {
  return a.length === b.length && a.every((p) => b.includes(p));
}

/** Fills `${Name}` placeholders; throws naming any left unfilled so nothing runs half-configured. */
export function substitute(document: AslDocument, values: Record<string, string>): AslDocument {
  const missing = new Set<string>();
  const text = JSON.stringify(document).replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return value;
  });
  if (missing.size) throw new Error(`no value for ASL placeholders: ${[...missing].sort().join(', ')}`);
  return JSON.parse(text) as AslDocument;
}
