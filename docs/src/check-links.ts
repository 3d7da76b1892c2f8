import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, sep } from 'node:path';

/**
 * Links between pages of the built site (`<a href>`, and pictures' `<img src>`; not other sites) whose target is no file of
 * the site, or whose `#fragment` names no `id` on the page it points to. VitePress' own check at
 * build time covers Markdown links but neither fragments nor the generated pages' HTML links;
 * this one reads what was built. `base` is the path the site is served under (`/` or `/repo/`).
 * Returns one line per broken link: `page → href`.
 */
export function brokenLinks(distDir: string, base = '/'): string[] {
  const pages = readdirSync(distDir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(sep).join('/'))
    .filter((f) => f.endsWith('.html'));
  const html = new Map(pages.map((p) => [p, readFileSync(join(distDir, p), 'utf8')]));
  const ids = new Map<string, Set<string>>();
  const idsOf = (page: string) => {
    let set = ids.get(page);
    if (!set) {
      set = new Set([...(html.get(page) ?? '').matchAll(/\sid="([^"]*)"/g)].map((m) => decodeEntities(m[1] as string)));
      ids.set(page, set);
    }
    return set;
  };

  return pages.flatMap((page) =>
    [...(html.get(page) as string).matchAll(/<(?:a\s[^>]*?href|img\s[^>]*?src)="([^"]*)"/g)]
      .map((m) => decodeEntities(m[1] as string))
      .filter((href) => href !== '' && !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(href))
      .filter((href) => {
        const [pathAndQuery = '', rawFragment] = href.split('#');
        const path = decodeURI(pathAndQuery.split('?')[0] as string);
        const target = path ? resolve(page, path, base, distDir) : page;
        if (target === undefined) return true;
        if (!target.endsWith('.html')) return false; // a download (an image, a JSON file) that exists
        const fragment = rawFragment === undefined ? undefined : decodeURIComponent(rawFragment);
        return fragment !== undefined && fragment !== '' && !idsOf(target).has(fragment);
      })
      .map((href) => `${page} → ${href}`),
  );
}

/** The file of the site `href` on `page` points to (as served: `dir/` is `dir/index.html`), if it exists. */
function resolve(page: string, href: string, base: string, distDir: string): string | undefined {
  let path: string;
  if (href.startsWith('/')) {
    if (!href.startsWith(base) && `${href}/` !== base) return undefined;
    path = href.slice(base.length);
  } else path = posix.join(posix.dirname(page), href);
  path = posix.normalize(path).replace(/^\.\/?/, '');
  if (path.startsWith('..')) return undefined;
  const candidates =
    path === '' || path.endsWith('/') ? [`${path}index.html`] : [path, `${path}.html`, `${path}/index.html`];
  return candidates.find((c) => existsSync(join(distDir, c)) && statSync(join(distDir, c)).isFile());
}

function decodeEntities(s: string): string {
  return s.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string,
  );
}
