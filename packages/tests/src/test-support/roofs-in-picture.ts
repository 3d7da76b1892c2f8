import type { SurveyGroundTruth } from '@aerial/contracts';

/** A roof (or the part of it found) in a picture of the map: its bounding box, in pixels. */
export interface PictureRoof {
  /** The middle of its bounding box (a roof is drawn over the trees: its box is exact). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly pixels: number;
  readonly roof: 'red' | 'grey';
}

type Building = SurveyGroundTruth['buildings'][number];

/** What of a building the picture shows as one region: its middle and size, local metres. */
export interface VisibleRoof {
  readonly east: number;
  readonly north: number;
  readonly widthM: number;
  readonly heightM: number;
}

/**
 * The part of a building's roof `roofsInPicture` finds: all of a red roof; of a grey one only the
 * lit western half, as its shaded half is as grey as the road.
 */
export function visibleRoof(b: Building): VisibleRoof {
  return b.roof === 'red'
    ? b
    : { east: b.east - b.widthM / 4, north: b.north, widthM: b.widthM / 2, heightM: b.heightM };
}

/**
 * The sample ground's roofs in an RGBA picture of a north-up map, drawn without overlays.
 * Shading scales the three channels alike, so a roof keeps its hue: red roofs are far redder than
 * anything else; the lit half of a grey roof (120, 124, 132 before shading) is the only bluish
 * surface, the road (96, 96, 100) and the shaded half (94, 97, 103) nearly neutral. Measured on
 * the rendered mosaic: lit grey ~(120, 124, 135), road ~(89, 90, 97), shaded half ~(94, 97, 102).
 * Connected regions that fill most of their box are taken; specks and edges are not.
 */
export function roofsInPicture(rgba: Uint8Array, width: number, height: number, minPixels: number): PictureRoof[] {
  const kind = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = [rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!];
    if (r > 50 && r > 1.8 * g && r > 1.8 * b) kind[i] = 1;
    else if (r > 60 && r < 170 && b - r >= 10 && b - g >= 5 && g >= r && g - r <= 10) kind[i] = 2;
  }
  const seen = new Uint8Array(width * height);
  const roofs: PictureRoof[] = [];
  for (let start = 0; start < width * height; start++) {
    if (!kind[start] || seen[start]) continue;
    const stack = [start];
    seen[start] = 1;
    let [n, x0, x1, y0, y1] = [0, Infinity, -Infinity, Infinity, -Infinity];
    while (stack.length > 0) {
      const i = stack.pop()!;
      const [x, y] = [i % width, Math.floor(i / width)];
      n++;
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      for (const [dx, dy] of [
        [-1, 0],
        [1, 0],
        [0, -1],
        [0, 1],
      ] as const) {
        const [jx, jy] = [x + dx, y + dy];
        const j = jy * width + jx;
        if (jx >= 0 && jx < width && jy >= 0 && jy < height && kind[j] === kind[start] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    const fill = n / ((x1 - x0 + 1) * (y1 - y0 + 1));
    if (n >= minPixels && fill > 0.6)
      roofs.push({
        x: (x0 + x1 + 1) / 2,
        y: (y0 + y1 + 1) / 2,
        width: x1 - x0 + 1,
        height: y1 - y0 + 1,
        pixels: n,
        roof: kind[start] === 1 ? 'red' : 'grey',
      });
  }
  return roofs;
}

/**
 * Which roof in the picture is which building: the north-up similarity (scale and shift) that two
 * buildings and two roofs of the same colours suggest, kept when it puts the most buildings
 * within `tolerancePx` of a roof of their colour and (within 15 %) size. Buildings it cannot
 * place are left out.
 */
export function matchBuildings(
  buildings: readonly Building[],
  roofs: readonly PictureRoof[],
  tolerancePx: number,
): { building: Building; visible: VisibleRoof; roof: PictureRoof }[] {
  const parts = buildings.map((building) => ({ building, visible: visibleRoof(building) }));
  let best: { building: Building; visible: VisibleRoof; roof: PictureRoof }[] = [];
  for (const [a, b] of pairs(parts)) {
    for (const ra of roofs.filter((r) => r.roof === a.building.roof)) {
      for (const rb of roofs.filter((r) => r.roof === b.building.roof && r !== ra)) {
        const metres = Math.hypot(b.visible.east - a.visible.east, b.visible.north - a.visible.north);
        const scale = Math.hypot(rb.x - ra.x, rb.y - ra.y) / metres;
        // Screen y grows southwards.
        const at = (k: VisibleRoof) => ({
          x: ra.x + (k.east - a.visible.east) * scale,
          y: ra.y - (k.north - a.visible.north) * scale,
        });
        const sized = (r: PictureRoof, k: VisibleRoof) =>
          Math.abs(r.width - k.widthM * scale) <= Math.max(3, 0.15 * r.width) &&
          Math.abs(r.height - k.heightM * scale) <= Math.max(3, 0.15 * r.height);
        const matched = parts.flatMap((part) => {
          const p = at(part.visible);
          const roof = roofs.find(
            (r) =>
              r.roof === part.building.roof && Math.hypot(r.x - p.x, r.y - p.y) < tolerancePx && sized(r, part.visible),
          );
          return roof ? [{ ...part, roof }] : [];
        });
        if (matched.length > best.length) best = matched;
      }
    }
  }
  return best;
}

function pairs<T>(items: readonly T[]): [T, T][] {
  return items.flatMap((a, i) => items.slice(i + 1).map((b): [T, T] => [a, b]));
}
