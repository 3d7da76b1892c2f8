import { join } from 'node:path';
import { buildSite } from './site';

const root = join(__dirname, '..');
const pages = buildSite(join(root, 'content'), join(root, 'dist'));
process.stdout.write(`docs: wrote ${pages.length} pages to dist/\n`);
