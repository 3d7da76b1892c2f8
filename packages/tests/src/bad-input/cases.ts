import { type CliCase, cliCases, type CliJobCase, cliJobCases } from './cli-cases';
import { type ConfigCase, configCases } from './config-cases';
import { apiCases, type HubCase, type HubJobCase, jobCases, resumableUploadCases, uploadCases } from './hub-cases';
import { archiveCases, type IngestArchiveCase, type IngestFileCase, imageCases } from './ingest-cases';
import { type MqttCase, mqttCases } from './mqtt-cases';

/**
 * Issue 18's bad-input corpus, generated (no binary fixtures): each case has an id, the entry
 * point it targets, a builder for its input and the outcome it must have. The tests beside this
 * module run each through its entry point; `write-corpus` writes the file and archive cases out
 * for trying by hand (`node lib/bad-input/write-corpus.js <folder>`).
 */
export type BadInputCase =
  IngestFileCase | IngestArchiveCase | HubCase | HubJobCase | MqttCase | CliCase | CliJobCase | ConfigCase;

export type Target = BadInputCase['target'];

export const badInputCases: readonly BadInputCase[] = [
  ...imageCases,
  ...archiveCases,
  ...apiCases,
  ...uploadCases,
  ...resumableUploadCases,
  ...jobCases,
  ...mqttCases,
  ...cliCases,
  ...cliJobCases,
  ...configCases,
];

/** How many cases each entry point gets, for the report. */
export function countByTarget(cases: readonly BadInputCase[] = badInputCases): Record<Target, number> {
  const counts = {} as Record<Target, number>;
  for (const c of cases) counts[c.target] = (counts[c.target] ?? 0) + 1;
  return counts;
}
