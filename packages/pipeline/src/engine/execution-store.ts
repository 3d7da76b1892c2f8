import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One event of an execution's history, in the Step Functions API's shape. */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: string;
  readonly type: string;
  readonly details: Record<string, unknown>;
}

/** What the engine keeps about one execution; it outlives the process that ran it. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Process running it; a RUNNING record whose process is gone was cut off. */
  ownerPid: number;
  history: HistoryEvent[];
  /** Task states that finished, with their results: what a resumed run does not do again. */
  completedTasks?: Record<string, unknown>;
  /** Times the execution ran again from where it stopped: taken over by another engine process, or redriven. */
  redriveCount?: number;
  /** When it was last redriven (RedriveExecution). */
  redriveDate?: string;
  /** Why the notice of a stopped or timed-out job could not be sent. */
  notifyError?: string;
}

/** Executions as JSON files in a folder, so the CLI can list and cancel from another process. */
export class ExecutionStore {
  constructor(readonly dir: string) {}

  private file(name: string): string {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new Error(`invalid execution name ${JSON.stringify(name)}`);
    return join(this.dir, `${name}.json`);
  }

  async save(record: ExecutionRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.file(record.name);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(record));
    await rename(temp, target);
  }

  async get(name: string): Promise<ExecutionRecord | undefined> {
    const text = await readFile(this.file(name), 'utf8').catch(() => undefined);
    if (!text) return undefined;
    return markIfOrphaned(JSON.parse(text) as ExecutionRecord);
  }

  async list(): Promise<ExecutionRecord[]> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    const records: ExecutionRecord[] = [];
    for (const f of files.filter((f) => f.endsWith('.json'))) {
      const record = await this.get(f.slice(0, -'.json'.length)).catch(() => undefined);
      if (record) records.push(record);
    }
    return records.sort((a, b) => b.startDate.localeCompare(a.startDate));
  }

  exists(name: string): boolean {
    return existsSync(this.file(name));
  }

  /** RUNNING executions whose engine process is gone, as saved (not marked aborted). */
  async orphans(): Promise<ExecutionRecord[]> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    const found: ExecutionRecord[] = [];
    for (const f of files.filter((f) => f.endsWith('.json'))) {
      const text = await readFile(join(this.dir, f), 'utf8').catch(() => undefined);
      const record = text ? (JSON.parse(text) as ExecutionRecord) : undefined;
      if (record?.status === 'RUNNING' && !isAlive(record.ownerPid)) found.push(record);
    }
    return found.sort((a, b) => a.startDate.localeCompare(b.startDate));
  }

  /**
   * Claims an orphaned execution for this process, so that two engines started at once do not
   * both take it over. False when a live process holds the claim.
   */
  async claim(name: string): Promise<boolean> {
    const path = join(this.dir, `${name}.claim`);
    for (let tries = 0; tries < 2; tries++) {
      try {
        await writeFile(path, String(process.pid), { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = Number(await readFile(path, 'utf8').catch(() => '0'));
        if (holder && holder !== process.pid && isAlive(holder)) return false;
        await rm(path, { force: true });
      }
    }
    return false;
  }

  async release(name: string): Promise<void> {
    await rm(join(this.dir, `${name}.claim`), { force: true });
  }

  /** Asks the process running an execution to stop it (that process polls for this). */
  async requestStop(name: string, reason: { error?: string; cause?: string }): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${name}.stop`), JSON.stringify(reason));
  }

  async takeStopRequest(name: string): Promise<{ error?: string; cause?: string } | undefined> {
    const path = join(this.dir, `${name}.stop`);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    await rm(path, { force: true });
    try {
      return JSON.parse(text) as { error?: string; cause?: string };
    } catch {
      return {};
    }
  }
}

function markIfOrphaned(record: ExecutionRecord): ExecutionRecord {
  if (record.status !== 'RUNNING' || isAlive(record.ownerPid)) return record;
  return {
    ...record,
    status: 'ABORTED',
    error: 'Aerial.Cancelled',
    cause: `the engine process (pid ${record.ownerPid}) ended while the job ran`,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
