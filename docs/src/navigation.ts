import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** One entry of the sidebar (the shape of VitePress' `DefaultTheme.SidebarItem` the site uses). */
export interface SidebarItem {
  readonly text: string;
  readonly link?: string;
  readonly items?: SidebarItem[];
  readonly collapsed?: boolean;
}

/**
 * The sidebar's groups, in order: each names a folder of the content (`''` is the top level).
 * A folder not listed here still appears, after these, under its own name: a page added to any
 * folder is in the navigation without editing a list.
 */
const GROUPS: readonly { folder: string; text: string; collapsed?: boolean }[] = [
  { folder: '', text: 'Guide' },
  { folder: 'developing', text: 'Developing' },
  { folder: 'runbooks', text: 'Operating' },
  { folder: 'analysis', text: 'Analysis' },
  { folder: 'reference', text: 'Reference' },
  { folder: 'decisions', text: 'Decisions', collapsed: true },
];

/** A page's title: its front matter `title`, else its first `# ` heading. Every page needs one for the navigation. */
export function pageTitle(markdown: string, file: string): string {
  const frontMatter = /^---\n([\s\S]*?)\n---/.exec(markdown)?.[1] ?? '';
  const fromFrontMatter = /^title:\s*(.+)$/m.exec(frontMatter)?.[1]?.trim();
  if (fromFrontMatter) return fromFrontMatter.replace(/^(["'])(.*)\1$/, '$2');
  const heading = /^#\s+(.+)$/m.exec(markdown.slice(frontMatter ? frontMatter.length + 8 : 0))?.[1]?.trim();
  if (!heading) throw new Error(`${file} has no "# title" line: every page needs one for the navigation`);
  return heading;
}

/**
 * The sidebar, read from the content folders: a group per folder, the folder's `index.md` first,
 * then its pages by file name (decisions are numbered, so they keep their order). The home page
 * and the `_generated` fragments are not listed.
 */
export function sidebar(contentDir: string): SidebarItem[] {
  const files = markdownFiles(contentDir).filter(
    (f) => f !== 'index.md' && !f.split('/').some((p) => p.startsWith('_')),
  );
  const folderOf = (f: string) => (f.includes('/') ? f.slice(0, f.indexOf('/')) : '');
  const folders = [...new Set(files.map(folderOf))];
  const known = GROUPS.map((g) => g.folder);
  const groups = [
    ...GROUPS.filter((g) => folders.includes(g.folder)),
    ...folders
      .filter((f) => !known.includes(f))
      .sort()
      .map((folder) => ({ folder, text: folder.charAt(0).toUpperCase() + folder.slice(1), collapsed: undefined })),
  ];
  return groups.map(({ folder, text, collapsed }) => {
    const inFolder = files
      .filter((f) => folderOf(f) === folder)
      .sort((a, b) => Number(!a.endsWith('/index.md')) - Number(!b.endsWith('/index.md')) || a.localeCompare(b));
    const items = inFolder.map((file) => ({
      text: pageTitle(readFileSync(join(contentDir, file), 'utf8'), file),
      link: `/${file.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '')}`,
    }));
    return collapsed === undefined ? { text, items } : { text, items, collapsed };
  });
}

/** Every Markdown file under `dir`, as a `/`-separated path relative to it, sorted. */
export function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(sep).join('/'))
    .filter((f) => f.endsWith('.md') && !f.split('/').some((part) => part === 'node_modules' || part.startsWith('.')))
    .sort();
}
