import type { JobOptionsInfo, JobRequestOptions } from '@aerial/contracts';

/** The page's API call (main.ts's `api`: the key header, the error body as the message). */
export type Api = <T>(path: string, init?: RequestInit) => Promise<T>;

const field = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/**
 * Fills the job options form from `GET /api/job-options`: the presets (with what each makes and
 * its stages) and priorities, the API's defaults selected. The defaults are the contract's, so the
 * page, the API, the CLI and an upload marker give the same job for the same choices.
 */
export async function initJobOptions(api: Api): Promise<void> {
  const info = await api<JobOptionsInfo>('/api/job-options');
  const preset = field<HTMLSelectElement>('job-preset');
  preset.replaceChildren(
    ...info.presets.map((p) => {
      const option = new Option(`${p.name}: ${p.description}`, p.name, false, p.name === info.defaults.preset);
      option.title = p.stages.join(' → ');
      return option;
    }),
  );
  const priority = field<HTMLSelectElement>('job-priority');
  priority.replaceChildren(...info.priorities.map((p) => new Option(p, p, false, p === info.defaults.priority)));
}

/**
 * The job options the form gives, checked before any upload starts; throws with what to fix.
 * Empty fields are left out, so the API applies its defaults to them.
 */
export function currentJobOptions(): JobRequestOptions {
  const text = (id: string) => field<HTMLInputElement | HTMLSelectElement>(id).value.trim();
  const invalid = (id: string) => !field<HTMLInputElement>(id).validity.valid;
  if (invalid('job-webhook')) throw new Error('the webhook must be an http(s) URL, or left empty');
  if (invalid('job-email')) throw new Error('the email must be an address such as pilot@example.org, or left empty');
  const notify: NonNullable<JobRequestOptions['notify']> = [];
  if (text('job-webhook')) notify.push({ kind: 'webhook', url: text('job-webhook') });
  if (text('job-email')) notify.push({ kind: 'email', address: text('job-email') });
  const height = flightHeight();
  return {
    ...(text('job-preset') ? { preset: text('job-preset') as JobRequestOptions['preset'] } : {}),
    ...(text('job-priority') ? { priority: text('job-priority') as JobRequestOptions['priority'] } : {}),
    ...(text('job-label') ? { label: text('job-label') } : {}),
    ...(notify.length ? { notify } : {}),
    ...(height !== undefined ? { options: { flightHeightM: height } } : {}),
  };
}

function flightHeight(): number | undefined {
  const input = field<HTMLInputElement>('flight-height');
  // A number input holds '' both when empty and when its text is not a number (badInput).
  if (input.value === '' && !input.validity.badInput) return undefined;
  const metres = input.valueAsNumber;
  if (!(metres > 0 && metres <= 10_000))
    throw new Error('the flight height must be a number of metres above 0 and at most 10000, or left empty');
  return metres;
}

/** A job's options as its detail gives them (`request`), for the job page. */
export interface JobOptionsView {
  preset: string;
  priority: string;
  label?: string;
  notify: { kind: string; address?: string; url?: string }[];
  options: Record<string, unknown>;
}

/** One line of what the job was asked for, under its title. */
export function showJobOptions(view: JobOptionsView | null | undefined): void {
  const out = field('job-options-summary');
  if (!view) {
    out.textContent = '';
    return;
  }
  const parts = [`preset ${view.preset}`, `priority ${view.priority}`];
  if (typeof view.options.flightHeightM === 'number') parts.push(`flight height ${view.options.flightHeightM} m`);
  for (const n of view.notify)
    parts.push(n.kind === 'email' ? `email ${n.address}` : n.kind === 'webhook' ? `webhook ${n.url}` : n.kind);
  out.textContent = parts.join(' · ');
}
