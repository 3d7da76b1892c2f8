import { AerialError, type JobRequest, PIPELINE_NAME } from '@aerial/contracts';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type EngineExecution, type JobEngine } from './job-engine';

export interface ArgoWorkflowsOptions {
  /** Argo Server, e.g. `https://argo-workflows-server.argo:2746`. */
  readonly serverUrl: string;
  readonly namespace: string;
  /** The WorkflowTemplate packages/kubernetes renders. @default aerial-job */
  readonly template?: string;
  /** Service-account token sent as a bearer token (Argo Server in `client` auth mode). */
  readonly tokenFile?: string;
  readonly fetch?: typeof fetch;
}

const WorkflowSchema = z.object({
  metadata: z.object({ name: z.string() }),
  status: z
    .object({ phase: z.string().optional(), message: z.string().optional(), finishedAt: z.string().optional() })
    .optional(),
});

/** Argo's phases in Step Functions' words. */
const STATUS: Record<string, EngineExecution['status']> = {
  '': 'RUNNING',
  Pending: 'RUNNING',
  Running: 'RUNNING',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Error: 'FAILED',
};

/**
 * Jobs on Argo Workflows through the Argo Server's REST API: a job is a Workflow submitted from
 * the `aerial-job` WorkflowTemplate, named after the job, with its id, preset and request as
 * parameters; stopping it runs the exit handler (Notify), as StopExecution runs the ASL's.
 */
export class ArgoWorkflowsEngine implements JobEngine {
  readonly name = 'argo-workflows';
  private readonly fetch: typeof fetch;

  constructor(private readonly o: ArgoWorkflowsOptions) {
    this.fetch = o.fetch ?? fetch;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const token = this.o.tokenFile ? (await readFile(this.o.tokenFile, 'utf8')).trim() : undefined;
    return this.fetch(`${this.o.serverUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  }

  private workflows(suffix = ''): string {
    return `/api/v1/workflows/${encodeURIComponent(this.o.namespace)}${suffix}`;
  }

  async start(jobId: string, request: JobRequest): Promise<string> {
    const response = await this.call('POST', this.workflows('/submit'), {
      namespace: this.o.namespace,
      resourceKind: 'WorkflowTemplate',
      resourceName: this.o.template ?? PIPELINE_NAME,
      submitOptions: {
        name: jobId,
        labels: `aerial.dev/job=${jobId}`,
        parameters: [`jobId=${jobId}`, `preset=${request.preset}`, `request=${JSON.stringify(request)}`],
      },
    });
    if (!response.ok) throw new Error(`Argo Server refused the job (${response.status}): ${await response.text()}`);
    return WorkflowSchema.parse(await response.json()).metadata.name;
  }

  async describe(ref: string): Promise<EngineExecution | undefined> {
    const response = await this.call('GET', this.workflows(`/${encodeURIComponent(ref)}`)).catch(() => undefined);
    if (!response?.ok) return undefined;
    const workflow = WorkflowSchema.parse(await response.json());
    const phase = workflow.status?.phase ?? '';
    return {
      status: STATUS[phase] ?? 'RUNNING',
      ...(phase === 'Failed' || phase === 'Error'
        ? { error: `Argo.${phase}`, cause: workflow.status?.message ?? '' }
        : {}),
      ...(workflow.status?.finishedAt ? { stopDate: workflow.status.finishedAt } : {}),
    };
  }

  async stop(ref: string, cause: string): Promise<void> {
    const response = await this.call('PUT', this.workflows(`/${encodeURIComponent(ref)}/stop`), { message: cause });
    if (!response.ok) throw new Error(`Argo Server could not stop ${ref} (${response.status})`);
  }

  /**
   * Argo's retry: the workflow's failed and stopped nodes run again, its succeeded ones are kept
   * (`restartSuccessful: false`). Argo answers a workflow that has not failed with an error.
   */
  async resume(ref: string): Promise<void> {
    const response = await this.call('PUT', this.workflows(`/${encodeURIComponent(ref)}/retry`), {
      name: ref,
      namespace: this.o.namespace,
      restartSuccessful: false,
    });
    if (response.ok) return;
    const detail = await response.text();
    // The Argo Server reports a workflow in the wrong phase as a bad request (gRPC InvalidArgument/FailedPrecondition).
    if (response.status === 400 || response.status === 409 || response.status === 412)
      throw new AerialError('Aerial.JobStateConflict', `Argo cannot retry ${ref}: ${detail}`);
    throw new Error(`Argo Server could not retry ${ref} (${response.status}): ${detail}`);
  }

  async ping(): Promise<void> {
    const response = await this.call(
      'GET',
      `/api/v1/workflow-templates/${encodeURIComponent(this.o.namespace)}/${this.o.template ?? PIPELINE_NAME}`,
    );
    if (!response.ok) throw new Error(`Argo Server answered ${response.status}`);
  }
}
