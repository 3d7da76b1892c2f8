import { reconcilingEvent } from './reconcile-job';

describe('reconciling a job with its engine', () => {
  const stopDate = '2026-11-29T01:00:00.000Z';
  const later = Date.parse(stopDate) + 60_000;
  const running = { jobId: 'job-1', status: 'running', stage: 'Ingest' };

  test('an execution stopped while the Hub shows it running ends it as cancelled, in its stage, at its stop date', () => {
    expect(reconcilingEvent(running, { status: 'ABORTED', stopDate }, later)).toEqual({
      type: 'job.cancelled',
      jobId: 'job-1',
      at: stopDate,
      stage: 'Ingest',
    });
  });

  test('a failure keeps its named error; an orchestrator error becomes Aerial.Internal naming it', () => {
    expect(
      reconcilingEvent(
        running,
        { status: 'FAILED', error: 'Aerial.QualityRejected', cause: 'no photos', stopDate },
        later,
      ),
    ).toMatchObject({ type: 'job.failed', error: { name: 'Aerial.QualityRejected', reason: 'no photos' } });
    expect(
      reconcilingEvent(running, { status: 'FAILED', error: 'States.Runtime', cause: 'bad path', stopDate }, later),
    ).toMatchObject({ error: { name: 'Aerial.Internal', reason: 'States.Runtime: bad path' } });
    expect(reconcilingEvent(running, { status: 'TIMED_OUT', cause: 'over 2 h', stopDate }, later)).toMatchObject({
      type: 'job.failed',
      error: { name: 'Aerial.Transient', reason: 'over 2 h' },
    });
  });

  test('nothing while the engine runs it, once the Hub has its end, or while its own event may still arrive', () => {
    expect(reconcilingEvent(running, { status: 'RUNNING' }, later)).toBeUndefined();
    expect(
      reconcilingEvent({ ...running, status: 'cancelled' }, { status: 'ABORTED', stopDate }, later),
    ).toBeUndefined();
    expect(reconcilingEvent(running, { status: 'ABORTED', stopDate }, Date.parse(stopDate) + 100)).toBeUndefined();
    expect(reconcilingEvent(running, undefined, later)).toBeUndefined();
  });
});
