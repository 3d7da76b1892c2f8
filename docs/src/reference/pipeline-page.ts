import { PRESETS } from '@aerial/contracts';
import { type FlowStep, type PipelineDefinition, stagesFor } from '@aerial/definition';
import { escapeHtml } from '../html';
import type { Page } from '../site';
import { code, htmlTable } from './html-table';

const duration = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

function flowItem(step: FlowStep): string {
  if (typeof step === 'string') return `<li><a href="#stage-${step.toLowerCase()}">${escapeHtml(step)}</a></li>`;
  const branches = step.branches.map((b) => `<li>${b.map((s) => escapeHtml(s)).join(' → ')}</li>`);
  return `<li>in parallel (${escapeHtml(step.parallel)}):<ul>${branches.join('')}</ul></li>`;
}

/** The pipeline as its definition gives it: flow, presets, and each stage's resources and I/O. */
export function pipelinePage(definition: PipelineDefinition): Page {
  const stages = definition.stages.map((s) => [
    code(s.name),
    s.description,
    s.kind,
    code(s.image),
    `${s.resources.vcpu} vCPU, ${s.resources.memoryMiB} MiB${s.resources.gpu ? `, ${s.resources.gpu} GPU` : ''}`,
    duration(s.timeoutSeconds),
    `${s.retry.attempts} attempts, ${s.retry.intervalSeconds} s × ${s.retry.backoffRate}`,
    s.presets.join(', '),
    {
      html: s.reads
        .map((r) => `<code>${escapeHtml(`${r.stage}/${r.role}`)}</code>${r.optional ? ' (optional)' : ''}`)
        .join('<br>'),
    },
    { html: s.writes.map((w) => `<code>${escapeHtml(w)}</code>`).join('<br>') },
  ]);
  const presets = PRESETS.map((p) => [code(p), stagesFor(definition, p).join(' → ')]);
  const html = `<h1>Pipeline reference</h1>
<p>Generated at build time from <code>AERIAL_PIPELINE</code> in <code>@aerial/definition</code>, the one value Step Functions, Argo and the local engine are rendered from. Whole-job limit: ${duration(definition.timeoutSeconds)}; <code>${escapeHtml(definition.notify)}</code> runs at the end on success and on failure.</p>
<h2 id="flow">Flow</h2>
<ol>${definition.flow.map(flowItem).join('')}<li>${escapeHtml(definition.notify)}</li></ol>
<h2 id="presets">Presets</h2>
${htmlTable(
  ['Preset', 'Stages, in order'],
  presets,
  PRESETS.map((p) => `preset-${p}`),
)}
<h2 id="stages">Stages</h2>
<p>Retries: attempts in all (the first included), the first interval and its backoff rate. Reads and writes are roles of each stage's I/O declaration (<code>STAGE_IO</code>).</p>
${htmlTable(
  ['Stage', 'Does', 'Kind', 'Image', 'Resources', 'Timeout', 'Retry', 'Presets', 'Reads', 'Writes'],
  stages,
  definition.stages.map((s) => `stage-${s.name.toLowerCase()}`),
)}`;
  return { source: '@aerial/definition', output: 'reference/pipeline.html', title: 'Pipeline reference', html };
}
