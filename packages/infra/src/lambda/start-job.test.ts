import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_PRESET } from '@aerial/contracts';
import { handler, uploadJobId } from './start-job';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
/** The marker's content as GetObject returns it (an SDK stream with transformToString). */
const markerBody = (text: string) => ({ Body: { transformToString: () => Promise.resolve(text) } as never });
beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).resolves(markerBody(''));
});

const api = (body: string, contentType = 'application/json') =>
  ({ body, headers: { 'content-type': contentType } }) as unknown as APIGatewayProxyEvent;

describe('start-job Lambda', () => {
  beforeEach(() => {
    sfn.reset();
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:eu-west-1:000000000000:execution:aerial-dev-job:x' });
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:000000000000:stateMachine:aerial-dev-job';
  });

  test('a valid request starts an execution with the job id and the validated request', async () => {
    const response = (await handler(
      api(JSON.stringify({ source: { kind: 'prefix', prefix: 'datasets/farm' }, preset: 'survey' })),
    )) as APIGatewayProxyResult;
    expect(response.statusCode).toBe(202);
    const call = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    const input = JSON.parse(call.input!) as { jobId: string; request: { priority: string } };
    expect(call.name).toBe(input.jobId);
    expect(input.jobId).toMatch(/^job-\d{8}-[0-9a-f]{8}$/);
    expect(input.request.priority).toBe('normal');
  });

  test.each([
    ['not JSON', api('{nope'), /not valid JSON/],
    ['a form post', api('a=b', 'application/x-www-form-urlencoded'), /send the job request as application\/json/],
    [
      'an invalid request',
      api(JSON.stringify({ source: { kind: 'prefix', prefix: '../etc' } })),
      /source.prefix: must not contain "\.\." segments/,
    ],
    [
      'a local folder',
      api(JSON.stringify({ source: { kind: 'folder', path: '/home/me' } })),
      /in the cloud a dataset is an uploaded prefix/,
    ],
    ['an oversized body', api(`{"x":"${'a'.repeat(70_000)}"}`), /request body above/],
  ])('refuses %s with 400 and a reason, starting nothing', async (_, event, message) => {
    const response = (await handler(event)) as APIGatewayProxyResult;
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.reason).toMatch(message);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('an upload marker starts a job on its prefix', async () => {
    await handler({
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'uploads' }, object: { key: 'datasets/farm-2026/_READY' } },
    });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!) as { request: unknown };
    expect(input.request).toMatchObject({
      source: { kind: 'prefix', prefix: 'datasets/farm-2026' },
      label: 'farm-2026',
    });
  });

  test('a marker may carry the job request: who to tell, which preset, a label', async () => {
    s3.on(GetObjectCommand).resolves(
      markerBody(
        JSON.stringify({
          preset: 'full',
          label: 'north field',
          notify: [{ kind: 'email', address: 'pilot@example.org' }],
        }),
      ),
    );
    await handler({
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'uploads' }, object: { key: 'datasets/north/_READY', size: 90 } },
    });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'uploads',
      Key: 'datasets/north/_READY',
    });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!) as { request: unknown };
    expect(input.request).toMatchObject({
      source: { kind: 'prefix', prefix: 'datasets/north' },
      preset: 'full',
      label: 'north field',
      notify: [{ kind: 'email', address: 'pilot@example.org' }],
    });
  });

  test.each([
    ['not JSON', '{preset: full', 90, /is not JSON/],
    ['a misspelt field', '{"notfy":[]}', 12, /notfy/],
    ['a source of its own', '{"source":{"kind":"prefix","prefix":"datasets/other"}}', 50, /source/],
    ['an oversized marker', '', 1_000_000, /at most 16384/],
  ])('a marker that is %s starts nothing, naming why', async (_, text, size, reason) => {
    s3.on(GetObjectCommand).resolves(markerBody(text));
    await expect(
      handler({
        'detail-type': 'Object Created',
        detail: { bucket: { name: 'uploads' }, object: { key: 'datasets/north/_READY', size } },
      }),
    ).rejects.toThrow(reason);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    if (size > 16_384) expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test('any other object is not a job', async () => {
    await expect(
      handler({
        'detail-type': 'Object Created',
        detail: { bucket: { name: 'uploads' }, object: { key: 'datasets/farm/IMG_1.JPG' } },
      }),
    ).rejects.toThrow(/is not an upload marker/);
  });
});

describe('start-job Lambda: uploads', () => {
  const marker = (sequencer: string, key = 'datasets/farm-2026/_READY') => ({
    'detail-type': 'Object Created' as const,
    time: '2026-11-29T01:00:00Z',
    detail: { bucket: { name: 'aerial-platform-dev-uploads' }, object: { key, etag: 'e1', sequencer } },
  });
  beforeEach(() => {
    sfn.reset();
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:000000000000:stateMachine:aerial-dev-job';
  });

  test('an upload runs the default preset (the map products), as the CLI and the Hub do', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    await handler(marker('0055AED6DCD90281E5'));
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!) as {
      request: { preset: string };
    };
    expect(input.request.preset).toBe(DEFAULT_PRESET);
    expect(DEFAULT_PRESET).toBe('map');
  });

  test('a redelivered event names the same execution; a new upload of the same key another', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    await handler(marker('0055AED6DCD90281E5'));
    await handler(marker('0055AED6DCD90281E5'));
    await handler(marker('0055AED6DCD90281F9'));
    const calls = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(calls[0]!.name).toMatch(/^job-20261129-[0-9a-f]{8}$/);
    expect(calls[1]!.name).toBe(calls[0]!.name);
    expect(calls[1]!.input).toBe(calls[0]!.input);
    expect(calls[2]!.name).not.toBe(calls[0]!.name);
  });

  test('Step Functions refusing the name again (ExecutionAlreadyExists) is success: no second job', async () => {
    const exists = Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
    sfn.on(StartExecutionCommand).rejects(exists);
    const event = marker('0055AED6DCD90281E5');
    const out = (await handler(event)) as { jobId: string; executionArn: string };
    expect(out.jobId).toBe(uploadJobId(event));
    expect(out.executionArn).toBe(`arn:aws:states:eu-west-1:000000000000:execution:aerial-dev-job:${out.jobId}`);
  });

  test('an API request that collides is not mistaken for a redelivery', async () => {
    const exists = Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
    sfn.on(StartExecutionCommand).rejects(exists);
    const response = (await handler(
      api(JSON.stringify({ source: { kind: 'prefix', prefix: 'datasets/farm' } })),
    )) as APIGatewayProxyResult;
    expect(response.statusCode).toBe(500);
  });

  test('an API request without a preset gets the default preset too', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    await handler(api(JSON.stringify({ source: { kind: 'prefix', prefix: 'datasets/farm' } })));
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!) as {
      request: { preset: string };
    };
    expect(input.request.preset).toBe('map');
  });
});
