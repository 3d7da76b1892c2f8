import { type PipelineEvent, type StageName } from '@aerial/contracts';
import cliProgress from 'cli-progress';

/** Shows one progress bar per stage on a terminal, or one line per change elsewhere (CI logs). */
export class StageProgress {
  private readonly bars = new Map<StageName, cliProgress.SingleBar>();
  private readonly multi: cliProgress.MultiBar | undefined;
  private readonly lastLogged = new Map<StageName, number>();

  constructor(
    stages: readonly StageName[],
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    if (out.isTTY) {
      this.multi = new cliProgress.MultiBar(
        {
          format: ' {stage} [{bar}] {percentage}% {status}',
          hideCursor: true,
          clearOnComplete: false,
          stream: out,
          barsize: 28,
        },
        cliProgress.Presets.shades_classic,
      );
      for (const stage of stages)
        this.bars.set(stage, this.multi.create(100, 0, { stage: stage.padEnd(12), status: 'waiting' }));
    }
  }

  update(event: PipelineEvent): void {
    // Job events may name a stage too (the one a job failed in); the bars follow stage events.
    if (!isStageEvent(event)) return;
    const status =
      event.type === 'stage.started'
        ? event.attempt > 1
          ? `retrying (attempt ${event.attempt})`
          : 'running'
        : event.type === 'stage.progress'
          ? (event.message ?? 'running')
          : event.type === 'stage.succeeded'
            ? 'done'
            : `failed: ${event.error.name}`;
    const percent =
      event.type === 'stage.progress' ? event.percent : event.type === 'stage.succeeded' ? 100 : undefined;
    const bar = this.bars.get(event.stage);
    if (bar) {
      if (percent !== undefined) bar.update(Math.round(percent), { status });
      else bar.update({ status });
      return;
    }
    // Not a terminal: a line when a stage starts, ends, or moves by 25 %.
    const last = this.lastLogged.get(event.stage) ?? -100;
    if (event.type === 'stage.progress' && percent !== undefined && percent - last < 25) return;
    if (percent !== undefined) this.lastLogged.set(event.stage, percent);
    this.out.write(`${event.stage}: ${percent !== undefined ? `${Math.round(percent)}% ` : ''}${status}\n`);
  }

  stop(): void {
    this.multi?.stop();
  }
}

type StageEvent = Extract<PipelineEvent, { type: `stage.${string}` }>;

function isStageEvent(event: PipelineEvent): event is StageEvent {
  return event.type.startsWith('stage.');
}
