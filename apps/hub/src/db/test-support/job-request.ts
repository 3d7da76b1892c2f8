import type { JobRequest } from '@aerial/contracts';

/** A complete job request for repository tests (what the contract's defaults make of a folder). */
export const folderJobRequest = (overrides: Partial<JobRequest> = {}): JobRequest => ({
  source: { kind: 'folder', path: '/x' },
  preset: 'survey',
  options: {},
  priority: 'normal',
  notify: [],
  ...overrides,
});
