import { join } from 'node:path';
import { environmentFigures } from './environment-figures';
import { fillRunbookTables, runbookTables } from './runbook-tables';

/** `node docs/lib/runbooks/write-tables.js`: rewrites the runbooks' generated tables from the code. */
const repoRoot = join(__dirname, '..', '..', '..');
const changed = fillRunbookTables(
  join(repoRoot, 'docs', 'content', 'runbooks'),
  runbookTables(environmentFigures(repoRoot)),
);
process.stdout.write(changed.length ? `rewrote ${changed.join(', ')}\n` : 'the runbooks tables are up to date\n');
