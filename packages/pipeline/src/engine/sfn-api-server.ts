import { AerialError, SfnRequestSchemas, type SfnOperation, LOCAL_STATE_MACHINE_ARN } from '@aerial/contracts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ExecutionRecord } from './execution-store';
import { executionNameOf, type LocalEngine } from './local-engine';

/** Step Functions rejects larger requests; so does this. */
const MAX_BODY_BYTES = 300 * 1024;
const PAGE = 100;

class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The Step Functions API subset the Hub and CLI use (StartExecution, DescribeExecution,
 * StopExecution, RedriveExecution, ListExecutions, GetExecutionHistory), served over AWS's JSON 1.0 protocol so that
 * `@aws-sdk/client-sfn` pointed at `SFN_ENDPOINT` behaves as against AWS. Hand-written: no npm
 * package serves this protocol in front of a local interpreter.
 */
export class SfnApiServer {
  private readonly server: Server;

  constructor(private readonly engine: LocalEngine) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /**
   * Takes over executions an earlier engine process left running (see
   * {@link LocalEngine.resumeOrphaned}), then listens on the loopback interface; returns the
   * endpoint URL.
   */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await this.engine.resumeOrphaned();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, resolve);
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  /** Stops listening and ends idle keep-alive connections, so that closing does not wait for clients. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    return closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'POST') throw new SfnError('UnknownOperationException', 'only POST is supported');
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSStepFunctions.')
        ? (target.slice('AWSStepFunctions.'.length) as SfnOperation)
        : undefined;
      if (!operation || !(operation in SfnRequestSchemas))
        throw new SfnError('UnknownOperationException', `operation ${target || '(none)'} is not supported`);
      const body = await readBody(req);
      const parsed = SfnRequestSchemas[operation].safeParse(body);
      if (!parsed.success) {
        throw new SfnError(
          'ValidationException',
          parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
        );
      }
      send(res, 200, await this.dispatch(operation, parsed.data as never));
    } catch (e) {
      const error = e instanceof SfnError ? e : translate(e);
      send(res, 400, { __type: error.type, message: error.message });
    }
  }

  private async dispatch(operation: SfnOperation, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'StartExecution': {
        assertStateMachine(input.stateMachineArn);
        let payload: unknown;
        try {
          payload = JSON.parse((input.input as string | undefined) ?? '{}');
        } catch {
          throw new SfnError('InvalidExecutionInput', 'input is not valid JSON');
        }
        const started = await this.engine.startExecution({ name: input.name as string | undefined, input: payload });
        return { executionArn: started.executionArn, startDate: epoch(started.startDate.toISOString()) };
      }
      case 'DescribeExecution': {
        const r = await this.record(input.executionArn as string);
        return {
          ...executionSummary(r),
          input: r.input,
          ...(r.output !== undefined ? { output: r.output } : {}),
          ...(r.error ? { error: r.error } : {}),
          ...(r.cause ? { cause: r.cause } : {}),
          ...(r.redriveCount ? { redriveCount: r.redriveCount } : {}),
          ...(r.redriveDate ? { redriveDate: epoch(r.redriveDate) } : {}),
          redriveStatus: ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(r.status) ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
        };
      }
      case 'StopExecution': {
        await this.record(input.executionArn as string);
        const stopDate = await this.engine.stopExecution(input.executionArn as string, {
          error: input.error as string,
          cause: input.cause as string,
        });
        return { stopDate: epoch(stopDate.toISOString()) };
      }
      case 'RedriveExecution': {
        await this.record(input.executionArn as string);
        const redriveDate = await this.engine.redriveExecution(input.executionArn as string);
        return { redriveDate: epoch(redriveDate.toISOString()) };
      }
      case 'ListExecutions': {
        if (input.stateMachineArn) assertStateMachine(input.stateMachineArn);
        const all = await this.engine.listExecutions(input.statusFilter as ExecutionRecord['status'] | undefined);
        const { items, nextToken } = page(all, input);
        return {
          executions: items.map(executionSummary),
          ...(nextToken ? { nextToken } : {}),
        };
      }
      case 'GetExecutionHistory': {
        const r = await this.record(input.executionArn as string);
        const events = input.reverseOrder ? [...r.history].reverse() : r.history;
        const { items, nextToken } = page(events, input);
        return {
          events: items.map((e) => ({
            id: e.id,
            previousEventId: e.previousEventId,
            timestamp: epoch(e.timestamp),
            type: e.type,
            ...e.details,
          })),
          ...(nextToken ? { nextToken } : {}),
        };
      }
    }
  }

  private async record(executionArn: string): Promise<ExecutionRecord> {
    if (!/^arn:aws:states:[^:]+:\d{12}:execution:[^:]+:[A-Za-z0-9_-]{1,80}$/.test(executionArn)) {
      throw new SfnError('InvalidArn', `invalid execution ARN ${executionArn}`);
    }
    const record = await this.engine.describeExecution(executionArn);
    if (!record)
      throw new SfnError('ExecutionDoesNotExist', `execution ${executionNameOf(executionArn)} does not exist`);
    return record;
  }
}

function translate(e: unknown): SfnError {
  const error = AerialError.from(e);
  // The engine names the Step Functions error where it has one (ExecutionNotRedrivable).
  const sfnType = (e as { sfnType?: unknown } | undefined)?.sfnType;
  if (typeof sfnType === 'string') return new SfnError(sfnType, error.reason);
  if (/already exists/.test(error.reason)) return new SfnError('ExecutionAlreadyExists', error.reason);
  if (error.name === 'Aerial.InvalidInput') return new SfnError('InvalidExecutionInput', error.reason);
  return new SfnError('InternalServerError', error.reason);
}

/** The fields DescribeExecution and ListExecutions share. */
function executionSummary(r: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: r.executionArn,
    stateMachineArn: r.stateMachineArn,
    name: r.name,
    status: r.status,
    startDate: epoch(r.startDate),
    ...(r.stopDate ? { stopDate: epoch(r.stopDate) } : {}),
  };
}

function assertStateMachine(arn: unknown): void {
  if (arn !== LOCAL_STATE_MACHINE_ARN)
    throw new SfnError('StateMachineDoesNotExist', `state machine ${String(arn)} does not exist`);
}

function page<T>(
  items: readonly T[],
  request: { maxResults?: unknown; nextToken?: unknown },
): { items: T[]; nextToken?: string } {
  const maxResults = request.maxResults as number | undefined;
  const token = request.nextToken as string | undefined;
  const size = maxResults && maxResults > 0 ? maxResults : PAGE;
  const start = token ? Number.parseInt(Buffer.from(token, 'base64url').toString(), 10) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new SfnError('InvalidToken', 'invalid nextToken');
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

function epoch(iso: string): number {
  return Date.parse(iso) / 1000;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new SfnError('ValidationException', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
  } catch {
    throw new SfnError('SerializationException', 'request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
