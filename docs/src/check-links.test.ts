import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brokenLinks } from './check-links';

describe('the link checker over the built site', () => {
  let dist: string;
  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'aerial-dist-'));
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));
  const write = (file: string, html: string) => {
    mkdirSync(dirname(join(dist, file)), { recursive: true });
    writeFileSync(join(dist, file), `<html><body>${html}</body></html>`);
  };

  test('passes links to pages, folders, headings and files that exist, and to other sites', () => {
    write(
      'index.html',
      '<a href="/docs/guide.html#set-up">a</a><a href="/docs/decisions/">b</a><a href="#top">c</a><h1 id="top">x</h1>',
    );
    write(
      'guide.html',
      '<h2 id="set-up">Set up</h2><a href="./reference/cli#run">d</a><a href="https://example.org/x">e</a><a href="/docs/images/m.jpg">f</a>',
    );
    write('decisions/index.html', '<a href="../guide.html">g</a>');
    write('reference/cli.html', '<h2 id="run">run</h2>');
    mkdirSync(join(dist, 'images'));
    writeFileSync(join(dist, 'images', 'm.jpg'), '');
    expect(brokenLinks(dist, '/docs/')).toEqual([]);
  });

  test('fails a planted link to a missing page, a missing heading, or outside the base, and a missing picture', () => {
    write(
      'index.html',
      '<a href="/gone.html">a</a><a class="x" href="guide.html#nowhere">b</a><a href="/elsewhere/guide.html">c</a>',
    );
    write(
      'guide.html',
      '<h2 id="set-up">Set up</h2><a href="#set-up">ok</a><a href="../up.html">d</a><img alt="" src="/images/view-3d.png">',
    );
    expect(brokenLinks(dist, '/')).toEqual([
      'guide.html → ../up.html',
      'guide.html → /images/view-3d.png',
      'index.html → /gone.html',
      'index.html → guide.html#nowhere',
      'index.html → /elsewhere/guide.html',
    ]);
  });
});
