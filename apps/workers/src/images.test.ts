import { AERIAL_PIPELINE } from '@aerial/definition';
import { STAGE_HANDLERS } from '@aerial/pipeline';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const IMAGES = join(__dirname, '..', 'images');

/** Every image a runnable stage names has a Dockerfile, and every Dockerfile follows the rules. */
describe('stage container images', () => {
  const runnable = AERIAL_PIPELINE.stages.filter((s) => STAGE_HANDLERS[s.name]);

  test.each(runnable.map((s) => [s.name, s.image]))('%s runs in %s, which has a Dockerfile', (_, image) => {
    expect(existsSync(join(IMAGES, image, 'Dockerfile'))).toBe(true);
  });

  test.each(readdirSync(IMAGES))(
    '%s: multi-stage, a Node LTS major on Debian (never latest), non-root, the shared entrypoint',
    (image) => {
      const text = readFileSync(join(IMAGES, image, 'Dockerfile'), 'utf8');
      expect(AERIAL_PIPELINE.stages.some((s) => s.image === image)).toBe(true);
      // The LTS major's moving tag: Docker rebuilds it with Debian's and Node's security fixes.
      expect(text).toMatch(/^ARG NODE_IMAGE=node:(22|24)(\.\d+\.\d+)?-bookworm-slim$/m);
      expect(text.match(/^FROM /gm)).toHaveLength(2);
      expect(text).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m);
      expect(text).toMatch(/^USER node$/m);
      expect(text).not.toMatch(/:latest\b/);
      expect(text).toMatch(/ENTRYPOINT \["node", "\/app\/lib\/entrypoint\.js"\]/);
    },
  );
});
