import { createTempClone, type TempClone } from './temp-clone';

describe('projen', () => {
  let clone: TempClone;
  beforeAll(() => {
    clone = createTempClone();
  });
  afterAll(() => clone?.remove());

  test('npx projen leaves no diff, twice in a row', () => {
    clone.run('node_modules/.bin/projen', []);
    expect(clone.git('status', '--porcelain')).toBe('');
    clone.run('node_modules/.bin/projen', []);
    expect(clone.git('status', '--porcelain')).toBe('');
  });

  test('a hand edit to a generated file is undone by npx projen', () => {
    const original = clone.read('nx.json');
    clone.write('nx.json', original.replace('"analytics": false', '"analytics": true'));
    clone.run('node_modules/.bin/projen', []);
    expect(clone.read('nx.json')).toBe(original);
  });
});
