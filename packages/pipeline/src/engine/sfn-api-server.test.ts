import { LOCAL_STATE_MACHINE_ARN } from '@aerial/contracts';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { EngineHarness } from '../testing/engine-harness';

describe('SfnApiServer with @aws-sdk/client-sfn', () => {
  let harness: EngineHarness;
  let sfn: SFNClient;
  let dir: string;

  beforeAll(async () => {
    harness = await EngineHarness.start();
    sfn = harness.sfn;
    dir = harness.dir;
  });
  afterAll(async () => harness?.stop());
  const release = () => harness.release();

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

  test('RedriveExecution runs a failed execution again from the failed task, skipping the finished ones', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: LOCAL_STATE_MACHINE_ARN,
        name: 'job-api-4',
        input: input('job-api-4', 'fail-once'),
      }),
    );
    const failed = await until(executionArn!, 'FAILED');
    expect(failed.redriveStatus).toBe('REDRIVABLE');
    const before = [...harness.ran('job-api-4')];
    expect(before.at(-1)).toBe('Footprints');

    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn }));
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const done = await until(executionArn!, 'SUCCEEDED');
    expect(done).toMatchObject({ redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    expect(done.redriveDate).toBeInstanceOf(Date);
    // Only Footprints and what follows it ran again.
    const again = harness.ran('job-api-4').slice(before.length);
    expect(again[0]).toBe('Footprints');
    for (const stage of before.slice(0, -1)) expect(again).not.toContain(stage);

    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = history.events!.map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types).toContain('ExecutionRedriven');
    expect(types.indexOf('ExecutionRedriven')).toBeLessThan(types.lastIndexOf('ExecutionSucceeded'));
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
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
