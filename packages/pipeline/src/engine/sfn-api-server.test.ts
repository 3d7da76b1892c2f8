import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DEFAULT_ENVIRONMENTS, type StageName, STAGE_NAMES } from '@aerial/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderAsl } from '../asl/render-asl';
import { AERIAL_PIPELINE } from '../definition/pipeline-definition';
import { LocalFolderStore } from '../object-store/local-folder-store';
import { notifyStage } from '../stages/notify/notify-stage';
import { type StageHandler } from '../stages/stage-runtime';
import { ExecutionStore } from './execution-store';
import { inProcessContainerRunner, inProcessFunctionRunner } from './in-process-runners';
import { LOCAL_STATE_MACHINE_ARN, LocalEngine } from './local-engine';
import { SfnApiServer } from './sfn-api-server';

describe('SfnApiServer with @aws-sdk/client-sfn', () => {
  let dir: string;
  let server: SfnApiServer;
  let sfn: SFNClient;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aerial-sfn-'));
    const store = new LocalFolderStore(join(dir, 'objects'));
    const handlers: Partial<Record<StageName, StageHandler>> = { Notify: notifyStage() };
    for (const stage of STAGE_NAMES)
      if (stage !== 'Notify') handlers[stage] = async () => ({ outputs: [], summary: {} });
    // A job labelled "hold" waits in Ingest until released, so it can be stopped.
    handlers.Ingest = async (_invocation, context) => {
      if (context.request.label === 'hold') await new Promise<void>((r) => (release = r));
      return { outputs: [], summary: {} };
    };
    const environment = DEFAULT_ENVIRONMENTS.dev;
    const engine = new LocalEngine({
      definition: AERIAL_PIPELINE,
      asl: renderAsl(AERIAL_PIPELINE),
      store: new ExecutionStore(join(dir, 'executions')),
      runFunction: inProcessFunctionRunner({ store, environment, handlers }),
      runContainer: inProcessContainerRunner({ store, environment, handlers }),
    });
    server = new SfnApiServer(engine);
    sfn = new SFNClient({
      endpoint: await server.listen(),
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    release();
    sfn?.destroy();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const input = (jobId: string, label?: string) =>
    JSON.stringify({ jobId, request: { source: { kind: 'folder', path: dir }, ...(label ? { label } : {}) } });

  async function until(executionArn: string, status: string) {
    for (let i = 0; i < 200; i++) {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (out.status === status) return out;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`execution never reached ${status}`);
  }

  test('StartExecution, DescribeExecution, ListExecutions and GetExecutionHistory work as against AWS', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: LOCAL_STATE_MACHINE_ARN,
        name: 'job-api-1',
        input: input('job-api-1'),
      }),
    );
    expect(started.executionArn).toMatch(/:execution:aerial-job:job-api-1$/);
    expect(started.startDate).toBeInstanceOf(Date);
    const done = await until(started.executionArn!, 'SUCCEEDED');
    expect(done).toMatchObject({ name: 'job-api-1', stateMachineArn: LOCAL_STATE_MACHINE_ARN });
    expect(JSON.parse(done.input!)).toMatchObject({ jobId: 'job-api-1' });

    const listed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, statusFilter: 'SUCCEEDED' }),
    );
    expect(listed.executions!.map((e) => e.name)).toContain('job-api-1');

    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 3 }),
    );
    expect(history.events!.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskStateExited']);
    expect(history.events![0]!.executionStartedEventDetails?.input).toContain('job-api-1');
    expect(history.nextToken).toBeDefined();
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn, nextToken: history.nextToken }),
    );
    expect(rest.events!.at(-1)!.type).toBe('ExecutionSucceeded');
  });

  test('StopExecution aborts a running execution', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: LOCAL_STATE_MACHINE_ARN,
        name: 'job-api-2',
        input: input('job-api-2', 'hold'),
      }),
    );
    await until(executionArn!, 'RUNNING');
    const stopped = await sfn.send(new StopExecutionCommand({ executionArn, cause: 'user asked' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    release();
    expect(await until(executionArn!, 'ABORTED')).toMatchObject({ cause: 'user asked' });
  });

  test('errors arrive as the SDK’s typed exceptions', async () => {
    await expect(
      sfn.send(
        new DescribeExecutionCommand({ executionArn: 'arn:aws:states:local:000000000000:execution:aerial-job:nope' }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: LOCAL_STATE_MACHINE_ARN,
          name: 'job-api-3',
          input: '{"jobId":"job-api-3","request":{}}',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: LOCAL_STATE_MACHINE_ARN,
          name: 'job-api-1',
          input: input('job-api-1'),
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:other',
          input: input('x-1'),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});
