import { AerialError, type ExecutionInput, JobRequestSchema, newJobId, parseAtBoundary } from '@aerial/contracts';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const sfn = new SFNClient({});
/** An upload is complete when this marker lands beside its files. */
export const READY_MARKER = '_READY';
const MAX_BODY_BYTES = 64 * 1024;

/** EventBridge's "Object Created" event from the uploads bucket. */
interface ObjectCreatedEvent {
  'detail-type': 'Object Created';
  detail: { bucket: { name: string }; object: { key: string } };
}

/**
 * Starts a job: from the API (POST /jobs with a job request) or from an upload (a `_READY` marker
 * object under `datasets/<name>/` in the uploads bucket). Validates with the contracts first.
 */
export async function handler(
  event: APIGatewayProxyEvent | ObjectCreatedEvent,
): Promise<APIGatewayProxyResult | { executionArn: string }> {
  if ('detail-type' in event) return startFromUpload(event);
  try {
    if ((event.body?.length ?? 0) > MAX_BODY_BYTES)
      throw new AerialError('Aerial.InvalidInput', `request body above ${MAX_BODY_BYTES} bytes`);
    const contentType = event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? '';
    if (!contentType.startsWith('application/json'))
      throw new AerialError('Aerial.InvalidInput', 'send the job request as application/json');
    let body: unknown;
    try {
      body = JSON.parse(event.body ?? '');
    } catch {
      throw new AerialError('Aerial.InvalidInput', 'the request body is not valid JSON');
    }
    const request = parseAtBoundary(JobRequestSchema, body, 'job request');
    if (request.source.kind !== 'prefix') {
      throw new AerialError(
        'Aerial.InvalidInput',
        'in the cloud a dataset is an uploaded prefix',
        'upload the photos to the uploads bucket and give source {"kind":"prefix"}',
      );
    }
    const started = await start({ jobId: newJobId(), request });
    return json(202, started);
  } catch (e) {
    const error = AerialError.from(e);
    return json(error.name === 'Aerial.InvalidInput' ? 400 : 500, { error: error.toJSON() });
  }
}

async function startFromUpload(event: ObjectCreatedEvent): Promise<{ executionArn: string }> {
  const key = event.detail.object.key;
  if (!key.endsWith(`/${READY_MARKER}`)) throw new AerialError('Aerial.InvalidInput', `${key} is not an upload marker`);
  const prefix = key.slice(0, -READY_MARKER.length - 1);
  const request = parseAtBoundary(
    JobRequestSchema,
    { source: { kind: 'prefix', prefix }, label: prefix.split('/').pop() },
    'job request',
  );
  return start({ jobId: newJobId(), request });
}

async function start(input: ExecutionInput): Promise<{ jobId: string; executionArn: string }> {
  const out = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: process.env.STATE_MACHINE_ARN,
      name: input.jobId,
      input: JSON.stringify(input),
    }),
  );
  return { jobId: input.jobId, executionArn: out.executionArn as string };
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
