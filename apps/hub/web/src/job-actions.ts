import './job-actions.css';

/** How the page calls the Hub (with the API key it holds). */
type Api = <T>(path: string, init?: RequestInit) => Promise<T>;

interface Attempt {
  attempt: number;
  kind: 'start' | 'resume';
  startedAt: string;
  fromStage: string | null;
  endedAt: string | null;
  outcome: 'succeeded' | 'failed' | 'cancelled' | null;
  stage: string | null;
  error: { name: string; reason: string } | null;
}
interface JobActionsView {
  jobId: string;
  status: string;
  /** The state the actions decide on (the engine's word, engine/current-job.ts). */
  state: string;
  retryOf: string | null;
  retries: string[];
  attempts: Attempt[];
  execution: { status: string } | null;
}

/** The actions each state allows, as the Hub's rules say (routes/job-actions.ts). */
const ACTIONS: { action: 'cancel' | 'resume' | 'retry'; label: string; states: readonly string[]; hint: string }[] = [
  { action: 'cancel', label: 'Cancel', states: ['queued', 'running'], hint: 'stop the job' },
  {
    action: 'resume',
    label: 'Resume',
    states: ['failed', 'cancelled'],
    hint: 'run it again from the stage it ended in; finished stages are kept',
  },
  {
    action: 'retry',
    label: 'Retry',
    states: ['succeeded', 'failed', 'cancelled'],
    hint: 'start a new job with the same request',
  },
];

/** Draws of the panel requested so far: an answer to an older request is not drawn over a newer one. */
let draws = 0;

const element = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
};

const jobLink = (jobId: string) => {
  const a = element('a', jobId);
  a.href = `#/jobs/${jobId}`;
  return a;
};

const time = (iso: string) => new Date(iso).toLocaleTimeString();

function attemptLine(a: Attempt): HTMLLIElement {
  const li = element('li', undefined, `attempt ${a.outcome ?? 'running'}`);
  li.dataset.attempt = String(a.attempt);
  li.dataset.outcome = a.outcome ?? 'running';
  const how = a.kind === 'start' ? 'started' : `resumed${a.fromStage ? ` from ${a.fromStage}` : ''}`;
  li.append(element('strong', `Attempt ${a.attempt}`), ` ${how} at ${time(a.startedAt)}`);
  const outcome = a.outcome
    ? `${a.outcome}${a.stage ? ` in ${a.stage}` : ''} at ${time(a.endedAt as string)}${a.error ? `: ${a.error.name}: ${a.error.reason}` : ''}`
    : 'running';
  li.append(' — ', element('span', outcome, 'outcome'));
  return li;
}

/**
 * The job view's actions (Cancel, Resume, Retry: those its state allows) and its history of
 * attempts, with the job it retries and the jobs that retry it. Drawn into `#job-actions` from
 * the job's detail; `main.ts` redraws it on every job event.
 */
export async function showJobActions(jobId: string, api: Api, notice: (text: string) => void): Promise<void> {
  const root = document.getElementById('job-actions');
  if (!root) return;
  const draw = ++draws;
  const job = await api<JobActionsView>(`/api/jobs/${jobId}`).catch(() => undefined);
  if (!job || draw !== draws || location.hash !== `#/jobs/${jobId}`) return;
  const state = job.state;
  const buttons = element('div', undefined, 'buttons');
  for (const { action, label, states, hint } of ACTIONS) {
    if (!states.includes(state)) continue;
    const button = element('button', label, `action-${action}`);
    button.type = 'button';
    button.title = hint;
    button.addEventListener('click', () => {
      for (const b of buttons.querySelectorAll('button')) b.disabled = true;
      void act(jobId, action, api)
        .then((text) => notice(text))
        .catch((e: Error) => notice(e.message))
        .finally(() => void showJobActions(jobId, api, notice));
    });
    buttons.append(button);
  }
  const engine = element('span', job.execution ? `engine: ${job.execution.status}` : '', 'engine');
  engine.id = 'job-execution';
  buttons.append(engine);

  const origin = element('p', undefined, 'lineage');
  if (job.retryOf) origin.append('Retry of ', jobLink(job.retryOf), '. ');
  if (job.retries.length) {
    origin.append('Retried as ');
    job.retries.forEach((id, i) => origin.append(...(i ? [', '] : []), jobLink(id)));
    origin.append('.');
  }
  const attempts = element('ol', undefined, 'attempts');
  attempts.id = 'attempts';
  attempts.setAttribute('aria-label', 'Attempts');
  attempts.append(...job.attempts.map(attemptLine));
  root.replaceChildren(buttons, ...(origin.childNodes.length ? [origin] : []), element('h3', 'Attempts'), attempts);
}

/** Asks the Hub to act; a retry opens the new job. Returns what to tell the user. */
async function act(jobId: string, action: 'cancel' | 'resume' | 'retry', api: Api): Promise<string> {
  const answer = await api<{ jobId: string; attempt?: number; fromStage?: string | null }>(
    `/api/jobs/${jobId}/${action}`,
    { method: 'POST' },
  );
  if (action === 'retry') {
    location.hash = `#/jobs/${answer.jobId}`;
    return `job ${answer.jobId} retries ${jobId}`;
  }
  if (action === 'resume')
    return `job ${jobId} resumed${answer.fromStage ? ` from ${answer.fromStage}` : ''} (attempt ${answer.attempt})`;
  return `job ${jobId} is being cancelled`;
}
