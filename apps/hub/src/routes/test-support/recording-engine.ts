import type { JobRequest } from '@aerial/contracts';
import type { EngineExecution, JobEngine } from '../../engine/job-engine';

/** An engine that runs nothing and remembers what it was asked to start, stop and resume. */
export class RecordingEngine implements JobEngine {
  readonly name = 'recording';
  readonly started: { jobId: string; request: JobRequest }[] = [];
  readonly stopped: { ref: string; cause: string }[] = [];
  readonly resumed: string[] = [];
  /** What `describe` answers. */
  execution: EngineExecution | undefined = { status: 'RUNNING' };
  /** When set, `start` and `resume` refuse with it. */
  refuse: Error | undefined;

  async start(jobId: string, request: JobRequest): Promise<string> {
    if (this.refuse) throw this.refuse;
    this.started.push({ jobId, request });
    return `recording:${jobId}`;
  }
  async describe(): Promise<EngineExecution | undefined> {
    return this.execution;
  }
  async stop(ref: string, cause: string): Promise<void> {
    this.stopped.push({ ref, cause });
  }
  async resume(ref: string): Promise<void> {
    if (this.refuse) throw this.refuse;
    this.resumed.push(ref);
  }
  async ping(): Promise<void> {}
}
