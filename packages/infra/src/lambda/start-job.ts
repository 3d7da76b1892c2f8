import {
  AerialError,
  type ExecutionInput,
  JobIdSchema,
  JobRequestSchema,
  newJobId,
  parseAtBoundary,
  READY_MARKER_NAME,
  UPLOAD_MARKER_MAX_BYTES,
  uploadJobRequest,
} from '@aerial/contracts';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { loadProcessConfig } from '@aerial/runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createHash } from 'node:crypto';

const sfn = new SFNClient({});
const s3 = new S3Client({});
/** An upload is complete when this marker lands beside its files. */
export const READY_MARKER = READY_MARKER_NAME;
const MAX_BODY_BYTES = 64 * 1024;

/** EventBridge's "Object Created" event from the uploads bucket. */
interface ObjectCreatedEvent {
  'detail-type': 'Object Created';
  /** When S3 created the object; the same on every delivery of the event. */
  time?: string;
  detail: { bucket: { name: string }; object: { key: string; size?: number; etag?: string; sequencer?: string } };
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
  // The marker's defaults are the contract's, as at every other entry point.
  const request = uploadJobRequest(prefix, await readMarker(event));
  return start({ jobId: uploadJobId(event), request }, { idempotent: true });
}

/**
 * What the marker asks for (who to tell, which preset, a label): an empty marker asks for the
 * defaults. A marker that is not such a request starts nothing: the named error goes to the
 * dead-letter queue with the event (and the uploader can write a corrected marker).
 */
async function readMarker(event: ObjectCreatedEvent): Promise<unknown> {
  const { bucket, object } = event.detail;
  if (object.size === 0) return {};
  if ((object.size ?? 0) > UPLOAD_MARKER_MAX_BYTES)
    throw new AerialError(
      'Aerial.InvalidInput',
      `upload marker ${object.key} is ${object.size} bytes (at most ${UPLOAD_MARKER_MAX_BYTES})`,
      'write an empty marker, or a JSON job request without "source"',
    );
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: object.key }));
  const text = (await out.Body?.transformToString('utf8'))?.trim() ?? '';
  if (text === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AerialError(
      'Aerial.InvalidInput',
      `upload marker ${object.key} is not JSON`,
      'write an empty marker, or a JSON job request without "source"',
    );
  }
  // Validated whole (by uploadJobRequest) so that a misspelt field is named, not silently dropped.
  return body;
}

/**
 * EventBridge delivers an event at least once: the job id (the execution name) is derived from the
 * object version that was written (bucket, key, and S3's sequencer or ETag) so a second delivery
 * names the same execution, which Step Functions will not start twice.
 */
export function uploadJobId(event: ObjectCreatedEvent): string {
  const { bucket, object } = event.detail;
  const version = object.sequencer ?? object.etag ?? '';
  const digest = createHash('sha256').update(`${bucket.name}/${object.key}\0${version}`).digest('hex');
  const day = (event.time ?? new Date().toISOString()).slice(0, 10).replace(/-/g, '');
  return JobIdSchema.parse(`job-${day}-${digest.slice(0, 8)}`);
}

async function start(
  input: ExecutionInput,
  o: { idempotent?: boolean } = {},
): Promise<{ jobId: string; executionArn: string }> {
  const { STATE_MACHINE_ARN: stateMachineArn } = loadProcessConfig();
  if (!stateMachineArn) throw new Error('STATE_MACHINE_ARN is not set: the job API sets it on this function');
  try {
    const out = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: input.jobId, input: JSON.stringify(input) }),
    );
    return { jobId: input.jobId, executionArn: out.executionArn as string };
  } catch (e) {
    // The same upload delivered again, after its job ended (a running one is returned as is).
    if (!o.idempotent || (e as Error).name !== 'ExecutionAlreadyExists') throw e;
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.jobId}`;
    return { jobId: input.jobId, executionArn };
  }
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
