import { AERIAL_ERROR_NAMES, AERIAL_ERRORS, TRANSIENT_ERROR_NAMES } from '@aerial/contracts';
import { escapeHtml } from '../html';
import type { Page } from '../site';
import { anchor } from './html-table';

/** Every named error: what it means, whether the orchestrators retry it, and what to do. */
export function errorsPage(): Page {
  const sections = AERIAL_ERROR_NAMES.map((name) => {
    const doc = AERIAL_ERRORS[name];
    const retried = TRANSIENT_ERROR_NAMES.includes(name)
      ? 'Transient: the orchestrators retry it with backoff.'
      : 'Permanent: not retried; the job records the failure, notifies and fails.';
    return `<h2 id="${anchor(name)}">${escapeHtml(name)}</h2>
<p><strong>Meaning.</strong> ${escapeHtml(doc.meaning)}</p>
<p><strong>Retried.</strong> ${retried}</p>
<p><strong>Remedy.</strong> ${escapeHtml(doc.remedy)}</p>`;
  });
  const html = `<h1>Errors reference</h1>
<p>Generated at build time from <code>AERIAL_ERRORS</code> in <code>@aerial/contracts</code>. A failed job or stage carries <code>{ name, reason, remedy? }</code>: the reason and remedy are specific to the input; this page says what the name means in general.</p>
${sections.join('\n')}`;
  return {
    source: '@aerial/contracts AERIAL_ERRORS',
    output: 'reference/errors.html',
    title: 'Errors reference',
    html,
  };
}
