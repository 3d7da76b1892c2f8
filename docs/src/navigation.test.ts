import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pageTitle, sidebar } from './navigation';

describe('the sidebar', () => {
  let content: string;
  beforeAll(() => {
    content = mkdtempSync(join(tmpdir(), 'aerial-nav-'));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(content, file)), { recursive: true });
      writeFileSync(join(content, file), text);
    };
    write('index.md', '---\nlayout: home\n---\n');
    write('architecture.md', '# Architecture');
    write('decisions/index.md', '# Decisions');
    write('decisions/0002-b.md', '# 0002 Second');
    write('decisions/0001-a.md', '# 0001 First');
    // Pages another helper adds later: no list to edit.
    write('analysis/coverage.md', '---\ntitle: "Coverage and GSD"\n---\n\n# Ignored heading');
    write('runbooks/alarms.md', '# Alarms');
    write('tutorials/start.md', '# Start');
    write('_generated/benchmarks.md', '| a |');
  });
  afterAll(() => rmSync(content, { recursive: true, force: true }));

  test('has a group per content folder, known ones in order, new ones after; each page by its title', () => {
    expect(sidebar(content)).toEqual([
      { text: 'Guide', items: [{ text: 'Architecture', link: '/architecture' }] },
      { text: 'Operating', items: [{ text: 'Alarms', link: '/runbooks/alarms' }] },
      { text: 'Analysis', items: [{ text: 'Coverage and GSD', link: '/analysis/coverage' }] },
      {
        text: 'Decisions',
        collapsed: true,
        items: [
          { text: 'Decisions', link: '/decisions/' },
          { text: '0001 First', link: '/decisions/0001-a' },
          { text: '0002 Second', link: '/decisions/0002-b' },
        ],
      },
      { text: 'Tutorials', items: [{ text: 'Start', link: '/tutorials/start' }] },
    ]);
  });

  test("lists the real content's folders, including the runbooks and decisions", () => {
    const groups = sidebar(join(__dirname, '..', 'content'));
    const texts = groups.map((g) => g.text);
    expect(texts).toEqual(expect.arrayContaining(['Guide', 'Developing', 'Operating', 'Decisions']));
    const decisions = groups.find((g) => g.text === 'Decisions')?.items ?? [];
    expect(decisions.map((d) => d.link)).toContain('/decisions/0009-package-split');
  });

  test('takes a title from front matter, else the first heading; refuses a page without either', () => {
    expect(pageTitle("---\ntitle: 'Quoted'\n---\n# Other", 'a.md')).toBe('Quoted');
    expect(pageTitle('Intro\n\n# Heading\n', 'a.md')).toBe('Heading');
    expect(() => pageTitle('no heading\n\n## only a section', 'runbooks/restore.md')).toThrow(
      'runbooks/restore.md has no "# title" line: every page needs one for the navigation',
    );
  });
});
