import { readFileSync } from 'node:fs';
import { IMAGE_TAGS_FILE, imageTags, parseImageTags } from './image-tags';

describe('image-tags.json: the tag each environment runs', () => {
  test('the committed file names a release tag for every environment', () => {
    const tags = imageTags();
    expect(Object.keys(tags).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(JSON.parse(readFileSync(IMAGE_TAGS_FILE, 'utf8'))).toEqual(tags);
  });

  test.each([
    ['"latest"', '{"dev":"latest","staging":"1.0.0","prod":"1.0.0"}', /never "latest"/],
    ['a missing environment', '{"dev":"1.0.0","staging":"1.0.0"}', /prod/],
    ['an unknown environment', '{"dev":"1","staging":"1","prod":"1","qa":"1"}', /qa/],
    ['a tag with a colon', '{"dev":"1.0.0:x","staging":"1.0.0","prod":"1.0.0"}', /OCI image tag/],
  ])('refuses %s, naming the file', (_, json, reason) => {
    expect(() => parseImageTags(json, 'image-tags.json')).toThrow(reason);
    expect(() => parseImageTags(json, 'image-tags.json')).toThrow(/^image-tags.json: /);
  });
});
