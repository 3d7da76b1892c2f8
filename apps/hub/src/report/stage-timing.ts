import { type PipelineEvent, STAGE_NAMES, type StageTiming } from '@aerial/contracts';

/**
 * How long each stage took, from the job's events: its first start to its last success or
 * failure, with the attempts it took (a retried or resumed stage counts each start). Stages in
 * pipeline order; a stage that started and has not ended is `running`.
 */
export function stageTiming(events: readonly PipelineEvent[]): StageTiming[] {
  const byStage = new Map<
    string,
    { started: string; ended?: string; attempts: number; outcome: StageTiming['outcome'] }
  >();
  const sorted = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const e of sorted) {
    if (e.type === 'stage.started') {
      const seen = byStage.get(e.stage);
      if (seen) Object.assign(seen, { attempts: seen.attempts + 1, outcome: 'running', ended: undefined });
      else byStage.set(e.stage, { started: e.at, attempts: 1, outcome: 'running' });
    } else if (e.type === 'stage.succeeded' || e.type === 'stage.failed') {
      const seen = byStage.get(e.stage);
      if (seen) Object.assign(seen, { ended: e.at, outcome: e.type === 'stage.succeeded' ? 'succeeded' : 'failed' });
    }
  }
  return STAGE_NAMES.flatMap((stage) => {
    const t = byStage.get(stage);
    if (!t) return [];
    return [
      {
        stage,
        startedAt: t.started,
        finishedAt: t.ended ?? null,
        seconds: t.ended ? Math.max(0, Math.round(Date.parse(t.ended) - Date.parse(t.started)) / 1000) : null,
        attempts: t.attempts,
        outcome: t.outcome,
      },
    ];
  });
}
