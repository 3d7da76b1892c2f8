/**
 * A layered drawing of a directed acyclic graph (after Sugiyama): each node sits one row above the
 * highest node it points to, edges that skip rows pass through invisible waypoints so they run
 * between boxes rather than through them, and the order within each row is chosen by barycentre
 * sweeps to cross few edges. Small graphs only (tens of nodes): everything is quadratic.
 */

export interface LayoutNode {
  readonly id: string;
  readonly width: number;
}

/** `from` points to `to`: `from` is drawn above. */
export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
}

export interface PlacedNode {
  readonly id: string;
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** 0 = bottom row (points to nothing). */
  readonly rank: number;
}

export interface RoutedEdge extends LayoutEdge {
  /** From the bottom of `from` to the top of `to`; consecutive pairs are vertical-tangent curves or straight drops. */
  readonly points: readonly (readonly [number, number])[];
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly RoutedEdge[];
}

export interface LayoutOptions {
  readonly nodeHeight?: number;
  readonly rowGap?: number;
  readonly columnGap?: number;
  readonly margin?: number;
}

const WAYPOINT_WIDTH = 4;
const WAYPOINT_GAP = 4;
const SWEEPS = 12;

/** Places `nodes` in rows and routes `edges`; throws on a cycle or an edge to an unknown node. */
export function layeredLayout(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  options: LayoutOptions = {},
): Layout {
  const nodeHeight = options.nodeHeight ?? 44;
  const rowGap = options.rowGap ?? 56;
  const columnGap = options.columnGap ?? 18;
  const margin = options.margin ?? 12;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const e of edges) {
    for (const end of [e.from, e.to]) if (!byId.has(end)) throw new Error(`edge ${e.from} → ${e.to}: no node ${end}`);
  }
  const rank = ranks(nodes, edges);
  const top = Math.max(0, ...rank.values());

  // Rows of items (nodes and waypoints), and the unit segments between adjacent rows.
  const rows: string[][] = Array.from({ length: top + 1 }, () => []);
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) rows[rank.get(n.id) as number]?.push(n.id);
  const width = new Map(nodes.map((n) => [n.id, n.width]));
  const chains = edges.map((e, i) => {
    const chain = [e.from];
    for (let r = (rank.get(e.from) as number) - 1; r > (rank.get(e.to) as number); r--) {
      const waypoint = `\0${i}:${r}`;
      rows[r]?.push(waypoint);
      width.set(waypoint, WAYPOINT_WIDTH);
      chain.push(waypoint);
    }
    chain.push(e.to);
    return chain;
  });
  const above = new Map<string, string[]>();
  const below = new Map<string, string[]>();
  for (const chain of chains) {
    for (let k = 1; k < chain.length; k++) {
      const [upper, lower] = [chain[k - 1] as string, chain[k] as string];
      below.set(upper, [...(below.get(upper) ?? []), lower]);
      above.set(lower, [...(above.get(lower) ?? []), upper]);
    }
  }

  const order = orderRows(rows, above, below);

  // Rows centred on the widest one, top row first. Waypoints pack tighter than boxes: a bundle of
  // long edges reads as one channel, and the drawing stays narrow enough for a page.
  const isWaypoint = (id: string) => id.startsWith('\0');
  const gapAfter = (row: string[], k: number) => {
    if (k === row.length - 1) return 0;
    return isWaypoint(row[k] as string) && isWaypoint(row[k + 1] as string) ? WAYPOINT_GAP : columnGap;
  };
  const rowWidth = (row: string[]) => row.reduce((sum, id, k) => sum + (width.get(id) as number) + gapAfter(row, k), 0);
  const canvasWidth = Math.max(...order.map(rowWidth)) + 2 * margin;
  const box = new Map<string, { x: number; y: number; width: number }>();
  order.forEach((row, r) => {
    let x = (canvasWidth - rowWidth(row)) / 2;
    const y = margin + (top - r) * (nodeHeight + rowGap);
    row.forEach((id, k) => {
      box.set(id, { x, y, width: width.get(id) as number });
      x += (width.get(id) as number) + gapAfter(row, k);
    });
  });

  const placed = nodes.map((n) => {
    const b = box.get(n.id) as { x: number; y: number };
    return { id: n.id, x: b.x, y: b.y, width: n.width, height: nodeHeight, rank: rank.get(n.id) as number };
  });
  const routed = edges.map((e, i) => {
    const chain = chains[i] as string[];
    const points: [number, number][] = [port(box, e.from, chain[1] as string, below, 'bottom', nodeHeight)];
    for (const waypoint of chain.slice(1, -1)) {
      const b = box.get(waypoint) as { x: number; y: number };
      points.push([b.x + WAYPOINT_WIDTH / 2, b.y], [b.x + WAYPOINT_WIDTH / 2, b.y + nodeHeight]);
    }
    points.push(port(box, e.to, chain[chain.length - 2] as string, above, 'top', nodeHeight));
    return { ...e, points };
  });
  return {
    width: canvasWidth,
    height: 2 * margin + (top + 1) * nodeHeight + top * rowGap,
    nodes: placed,
    edges: routed,
  };
}

/** Longest path to a node that points to nothing. */
function ranks(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Map<string, number> {
  const out = new Map(nodes.map((n) => [n.id, edges.filter((e) => e.from === n.id).map((e) => e.to)]));
  const rank = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = rank.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new Error(`the graph has a cycle through ${id}`);
    visiting.add(id);
    const r = Math.max(-1, ...(out.get(id) ?? []).map(visit)) + 1;
    visiting.delete(id);
    rank.set(id, r);
    return r;
  };
  for (const n of nodes) visit(n.id);
  return rank;
}

/** Barycentre sweeps down and up; keeps the ordering with the fewest crossings seen. */
function orderRows(rows: string[][], above: Map<string, string[]>, below: Map<string, string[]>): string[][] {
  let current = rows.map((row) => [...row]);
  let best = current;
  let bestCrossings = crossings(current, below);
  for (let sweep = 0; sweep < SWEEPS && bestCrossings > 0; sweep++) {
    const downward = sweep % 2 === 0;
    const next = current.map((row) => [...row]);
    const rowIndexes = next.map((_, r) => r);
    // Down: each row by its neighbours in the row above (rows are indexed bottom-up).
    for (const r of downward ? rowIndexes.slice(0, -1).reverse() : rowIndexes.slice(1)) {
      const reference = next[downward ? r + 1 : r - 1] as string[];
      const neighbours = downward ? above : below;
      const row = next[r] as string[];
      const centre = new Map(
        row.map((id, i) => {
          const positions = (neighbours.get(id) ?? []).map((n) => reference.indexOf(n)).filter((p) => p >= 0);
          return [id, positions.length ? positions.reduce((a, b) => a + b, 0) / positions.length : i];
        }),
      );
      next[r] = [...row].sort((a, b) => (centre.get(a) as number) - (centre.get(b) as number));
    }
    current = next;
    const count = crossings(current, below);
    if (count < bestCrossings) {
      best = current;
      bestCrossings = count;
    }
  }
  return best;
}

/** Pairs of segments between adjacent rows that cross. */
export function crossings(rows: readonly (readonly string[])[], below: ReadonlyMap<string, readonly string[]>): number {
  let count = 0;
  for (let r = 1; r < rows.length; r++) {
    const upper = rows[r] as readonly string[];
    const lower = rows[r - 1] as readonly string[];
    const segments = upper.flatMap((u, i) => (below.get(u) ?? []).map((l) => [i, lower.indexOf(l)] as const));
    for (let a = 0; a < segments.length; a++) {
      for (let b = a + 1; b < segments.length; b++) {
        const [sa, ta] = segments[a] as readonly [number, number];
        const [sb, tb] = segments[b] as readonly [number, number];
        if ((sa - sb) * (ta - tb) < 0) count++;
      }
    }
  }
  return count;
}

/**
 * Where an edge leaves (bottom) or enters (top) a node: its edges share the side, spread in the
 * order of the items they come from or go to, so that they do not cross at the box.
 */
function port(
  box: ReadonlyMap<string, { x: number; y: number; width: number }>,
  id: string,
  neighbour: string,
  neighbours: ReadonlyMap<string, readonly string[]>,
  side: 'top' | 'bottom',
  nodeHeight: number,
): [number, number] {
  const b = box.get(id) as { x: number; y: number; width: number };
  const all = [...(neighbours.get(id) ?? [])].sort((p, q) => (box.get(p)?.x ?? 0) - (box.get(q)?.x ?? 0));
  const k = all.indexOf(neighbour);
  const x = b.x + (b.width * (k + 1)) / (all.length + 1);
  return [x, side === 'top' ? b.y : b.y + nodeHeight];
}
