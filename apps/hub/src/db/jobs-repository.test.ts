import type { Pool } from 'pg';
import { DatasetsRepository } from './datasets-repository';
import { JobsRepository } from './jobs-repository';
import { migrate } from './migrate';
import { folderJobRequest } from './test-support/job-request';
import { freshDatabase } from './test-support/test-database';

describe('JobsRepository and DatasetsRepository on PostgreSQL', () => {
  let db: { pool: Pool; drop(): Promise<void> };
  let jobs: JobsRepository;
  let datasets: DatasetsRepository;
  beforeAll(async () => {
    db = await freshDatabase();
    await migrate(db.pool);
    jobs = new JobsRepository(db.pool);
    datasets = new DatasetsRepository(db.pool);
  });
  afterAll(async () => db?.drop());

  test('a job is recorded queued, gains its execution on the second call, and keeps its request', async () => {
    const request = folderJobRequest({ label: 'first', options: { flightHeightM: 80 } });
    await jobs.recordJob('job-repo-1', request);
    expect(await jobs.job('job-repo-1')).toMatchObject({ status: 'queued', executionArn: null, label: 'first' });
    await jobs.recordJob('job-repo-1', request, 'arn:one');
    await jobs.recordJob('job-repo-1', request);
    const job = await jobs.job('job-repo-1');
    expect(job).toMatchObject({ executionArn: 'arn:one', request, preset: 'survey', error: null });
    expect(await jobs.jobStatus('job-repo-1')).toEqual({
      status: 'queued',
      stage: null,
      errorName: null,
      errorReason: null,
    });
    expect(await jobs.job('job-repo-none')).toBeUndefined();
    expect(await jobs.jobStatus('job-repo-none')).toBeUndefined();
  });

  test('jobs are listed newest first, filtered by status, and a job the engine refused is forgotten', async () => {
    await jobs.recordJob('job-repo-2', folderJobRequest());
    const listed = await jobs.jobs({ limit: 10 });
    expect(listed.map((j) => j.jobId)).toEqual(['job-repo-2', 'job-repo-1']);
    expect(await jobs.jobs({ status: 'running', limit: 10 })).toEqual([]);
    expect(await jobs.jobs({ limit: 1 })).toHaveLength(1);
    await jobs.forgetJob('job-repo-2');
    expect(await jobs.job('job-repo-2')).toBeUndefined();
  });

  test('a dataset is created empty, keeps the totals it is given, and jobs link to it', async () => {
    await datasets.createDataset('ds-20261122-abcd', 'uploads/ds-20261122-abcd/', 'roof');
    expect(await datasets.dataset('ds-20261122-abcd')).toEqual({
      datasetId: 'ds-20261122-abcd',
      label: 'roof',
      prefix: 'uploads/ds-20261122-abcd/',
      files: 0,
      bytes: 0,
    });
    await datasets.updateDatasetTotals('ds-20261122-abcd', 3, 5_000_000_000);
    expect(await datasets.dataset('ds-20261122-abcd')).toMatchObject({ files: 3, bytes: 5_000_000_000 });
    await jobs.linkJobToDataset('job-repo-1', 'ds-20261122-abcd');
    const linked = await db.pool.query('SELECT dataset_id FROM jobs WHERE job_id = $1', ['job-repo-1']);
    expect(linked.rows[0]).toEqual({ dataset_id: 'ds-20261122-abcd' });
    expect(await datasets.dataset('ds-20261122-none')).toBeUndefined();
  });
});
