import { crossings, layeredLayout } from './layered-layout';

const nodes = (...ids: string[]) => ids.map((id) => ({ id, width: 60 }));

describe('layeredLayout', () => {
  test('puts each node one row above the highest node it points to, and routes every edge downwards', () => {
    const layout = layeredLayout(nodes('app', 'lib', 'base', 'tool'), [
      { from: 'app', to: 'lib' },
      { from: 'lib', to: 'base' },
      { from: 'app', to: 'base' },
      { from: 'tool', to: 'base' },
    ]);
    const rank = Object.fromEntries(layout.nodes.map((n) => [n.id, n.rank]));
    expect(rank).toEqual({ app: 2, lib: 1, base: 0, tool: 1 });
    const y = Object.fromEntries(layout.nodes.map((n) => [n.id, n.y]));
    expect(y.app).toBeLessThan(y.lib as number);
    expect(y.lib).toBeLessThan(y.base as number);
    for (const edge of layout.edges) {
      const ys = edge.points.map(([, py]) => py);
      expect(ys).toEqual([...ys].sort((a, b) => a - b));
    }
  });

  test('an edge that skips a row passes through a waypoint in it, beside the boxes of that row', () => {
    const layout = layeredLayout(nodes('app', 'lib', 'base'), [
      { from: 'app', to: 'lib' },
      { from: 'lib', to: 'base' },
      { from: 'app', to: 'base' },
    ]);
    const skip = layout.edges.find((e) => e.from === 'app' && e.to === 'base');
    expect(skip?.points).toHaveLength(4);
    const lib = layout.nodes.find((n) => n.id === 'lib');
    const [, top, bottom] = skip?.points ?? [];
    expect(top?.[1]).toBe(lib?.y);
    expect(bottom?.[1]).toBe((lib?.y ?? 0) + (lib?.height ?? 0));
    const x = top?.[0] ?? 0;
    expect(x < (lib?.x ?? 0) || x > (lib?.x ?? 0) + (lib?.width ?? 0)).toBe(true);
  });

  test('boxes of one row do not overlap and lie inside the drawing', () => {
    const layout = layeredLayout(nodes('a', 'b', 'c', 'd', 'e'), [
      { from: 'a', to: 'e' },
      { from: 'b', to: 'e' },
      { from: 'c', to: 'e' },
      { from: 'd', to: 'e' },
    ]);
    const row = layout.nodes.filter((n) => n.rank === 1).sort((p, q) => p.x - q.x);
    expect(row).toHaveLength(4);
    for (let i = 1; i < row.length; i++)
      expect(row[i]?.x).toBeGreaterThanOrEqual((row[i - 1]?.x ?? 0) + (row[i - 1]?.width ?? 0));
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width).toBeLessThanOrEqual(layout.width);
      expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
    }
  });

  test('orders rows so that edges do not cross where they need not', () => {
    // In name order (a, b over x, y) a→y and b→x cross; swapping one row removes the crossing.
    const layout = layeredLayout(nodes('a', 'b', 'x', 'y'), [
      { from: 'a', to: 'y' },
      { from: 'b', to: 'x' },
    ]);
    const x = Object.fromEntries(layout.nodes.map((n) => [n.id, n.x]));
    expect(Math.sign((x.a as number) - (x.b as number))).toBe(Math.sign((x.y as number) - (x.x as number)));
  });

  test('counts crossings between adjacent rows', () => {
    const below = new Map([
      ['a', ['y']],
      ['b', ['x']],
    ]);
    expect(
      crossings(
        [
          ['x', 'y'],
          ['a', 'b'],
        ],
        below,
      ),
    ).toBe(1);
    expect(
      crossings(
        [
          ['y', 'x'],
          ['a', 'b'],
        ],
        below,
      ),
    ).toBe(0);
  });

  test('refuses a cycle and an edge to a node it was not given', () => {
    expect(() =>
      layeredLayout(nodes('a', 'b'), [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ]),
    ).toThrow(/cycle through/);
    expect(() => layeredLayout(nodes('a'), [{ from: 'a', to: 'ghost' }])).toThrow(/no node ghost/);
  });
});
