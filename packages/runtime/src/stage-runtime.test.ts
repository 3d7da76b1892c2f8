import { AerialError, DEFAULT_ENVIRONMENTS, loadRuntimeConfig, type PipelineEvent } from '@aerial/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventPublisher } from './events/mqtt-event-publisher';
import { LocalFolderStore } from './object-store/local-folder-store';
import { runStage, type StageContext } from './stage-runtime';

/** Records what a stage run publishes. */
class RecordingPublisher implements EventPublisher {
  readonly events: PipelineEvent[] = [];
  readonly broker = 'test';
  publish(event: PipelineEvent): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
  announce = this.publish;
  publishRetained(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('runStage', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aerial-stage-runtime-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const request = { source: { kind: 'folder', path: '/photos' }, preset: 'map' };
  const jobId = 'job-20260101-0123abcd';

  test('a stage run publishes its own started, progress and succeeded events', async () => {
    const publisher = new RecordingPublisher();
    const seen: Partial<StageContext> = {};
    const config = loadRuntimeConfig({ COLMAP_BINARY: '/opt/colmap' });
    await runStage(
      { jobId, stage: 'Ingest', attempt: 2, request },
      {
        store: new LocalFolderStore(dir),
        environment: DEFAULT_ENVIRONMENTS.dev,
        config,
        events: publisher,
        handlers: {
          Ingest: (_invocation, context) => {
            Object.assign(seen, { config: context.config, events: context.events });
            context.progress(150, 'reading photos');
            return Promise.resolve({ outputs: [], summary: { files: 1, accepted: 1, rejected: 0, reasons: {} } });
          },
        },
      },
    );
    expect(publisher.events.map((e) => e.type)).toEqual(['stage.started', 'stage.progress', 'stage.succeeded']);
    expect(publisher.events[0]).toMatchObject({ jobId, stage: 'Ingest', attempt: 2 });
    expect(publisher.events[1]).toMatchObject({ percent: 100, message: 'reading photos' });
    expect(seen.config?.COLMAP_BINARY).toBe('/opt/colmap');
    expect(seen.events).toBe(publisher);
  });

  test('a failed run publishes stage.failed with the named error, and still throws it', async () => {
    const publisher = new RecordingPublisher();
    const run = runStage(
      { jobId, stage: 'Ingest', request },
      {
        store: new LocalFolderStore(dir),
        environment: DEFAULT_ENVIRONMENTS.dev,
        events: publisher,
        handlers: {
          Ingest: () => Promise.reject(new AerialError('Aerial.QualityRejected', 'only 2 photos')),
        },
      },
    );
    await expect(run).rejects.toThrow(/only 2 photos/);
    expect(publisher.events.map((e) => e.type)).toEqual(['stage.started', 'stage.failed']);
    expect(publisher.events[1]).toMatchObject({ error: { name: 'Aerial.QualityRejected', reason: 'only 2 photos' } });
  });

  test('without a publisher nothing is published and the stage gets the default config', async () => {
    let config: StageContext['config'] | undefined;
    await runStage(
      { jobId, stage: 'Ingest', request },
      {
        store: new LocalFolderStore(dir),
        environment: DEFAULT_ENVIRONMENTS.dev,
        handlers: {
          Ingest: (_invocation, context) => {
            config = context.config;
            return Promise.resolve({ outputs: [], summary: { files: 1, accepted: 1, rejected: 0, reasons: {} } });
          },
        },
      },
    );
    expect(config).toEqual(loadRuntimeConfig({}));
  });
});
