import type { SurveyGroundTruth } from '@aerial/contracts';

/** A roof found in a picture of the map: its centroid in pixels and its colour. */
export interface PictureRoof {
  /** The middle of its bounding box (trees and outlines over a roof leave holes, not shifts). */
  readonly x: number;
  readonly y: number;
  /** Its bounding box's size, to tell a whole roof from a part. */
  readonly width: number;
  readonly height: number;
  readonly cx: number;
  readonly cy: number;
  readonly pixels: number;
  readonly roof: 'red' | 'grey';
}

type Building = SurveyGroundTruth['buildings'][number];

/**
 * The sample ground's roofs in an RGBA picture of a north-up map. Shading scales the three
 * channels alike, so a roof keeps its hue: red roofs are far redder than anything else, grey roofs
 * the only slightly blue surfaces (the footprints' blue outlines are thin and far bluer).
 * Connected regions that fill most of their box are taken; lines and specks are not.
 */
export function roofsInPicture(rgba: Uint8Array, width: number, height: number, minPixels: number): PictureRoof[] {
  const kind = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = [rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!];
    if (r > 50 && r > 1.8 * g && r > 1.8 * b) kind[i] = 1;
    // Measured on the rendered mosaic: roofs ~(111, 124, 136), their shaded half ~(86, 99, 111) to
    // (94, 93, 111); the road nearly neutral ~(95, 97, 105), the outlines far bluer ~(58, 107, 156),
    // the map's background pale (223, 230, 234).
    else if (r > 40 && r < 170 && b - r >= 13 && g >= r - 6 && g - r <= 25 && b - g <= 25) kind[i] = 2;
  }
  // Regions are grown over one-pixel gaps: a footprint outline crossing a roof must not split it.
  const near = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const k = kind[y * width + x]!;
      if (!k) continue;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const [nx, ny] = [x + dx, y + dy];
          if (nx >= 0 && nx < width && ny >= 0 && ny < height && !near[ny * width + nx]) near[ny * width + nx] = k;
        }
    }
  const seen = new Uint8Array(width * height);
  const roofs: PictureRoof[] = [];
  for (let start = 0; start < width * height; start++) {
    if (!near[start] || seen[start]) continue;
    const stack = [start];
    seen[start] = 1;
    let [n, sx, sy, x0, x1, y0, y1] = [0, 0, 0, Infinity, -Infinity, Infinity, -Infinity];
    while (stack.length > 0) {
      const i = stack.pop()!;
      const [x, y] = [i % width, Math.floor(i / width)];
      if (kind[i] === near[start]) {
        n++;
        sx += x;
        sy += y;
        [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      }
      for (const j of [i - 1, i + 1, i - width, i + width]) {
        const [jx, jy] = [j % width, Math.floor(j / width)];
        if (j < 0 || j >= width * height || Math.abs(jx - x) + Math.abs(jy - y) !== 1) continue;
        if (near[j] === near[start] && !seen[j]) {
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
        cx: sx / n + 0.5,
        cy: sy / n + 0.5,
        width: x1 - x0 + 1,
        height: y1 - y0 + 1,
        pixels: n,
        roof: near[start] === 1 ? 'red' : 'grey',
      });
  }
  return roofs;
}

/**
 * Which roof in the picture is which building: the north-up similarity (scale and shift) that two
 * buildings and two roofs of the same colours suggest, kept when it puts the most buildings
 * within `tolerancePx` of a whole roof of their colour and size. Buildings it cannot place are
 * left out.
 */
export function matchBuildings(
  buildings: readonly Building[],
  roofs: readonly PictureRoof[],
  tolerancePx: number,
): { building: Building; roof: PictureRoof }[] {
  let best: { building: Building; roof: PictureRoof }[] = [];
  for (const [a, b] of pairs(buildings)) {
    for (const ra of roofs.filter((r) => r.roof === a.roof)) {
      for (const rb of roofs.filter((r) => r.roof === b.roof && r !== ra)) {
        // Screen y grows southwards.
        const metres = Math.hypot(b.east - a.east, b.north - a.north);
        const scale = Math.hypot(rb.x - ra.x, rb.y - ra.y) / metres;
        const at = (k: Building) => ({ x: ra.x + (k.east - a.east) * scale, y: ra.y - (k.north - a.north) * scale });
        // Whole roofs only: a part (a shaded half lost to a tree) has its middle elsewhere.
        const whole = (r: PictureRoof, k: Building) =>
          Math.abs(r.width - k.widthM * scale) <= Math.max(3, 0.15 * r.width) &&
          Math.abs(r.height - k.heightM * scale) <= Math.max(3, 0.15 * r.height);
        const matched = buildings.flatMap((building) => {
          const p = at(building);
          const roof = roofs.find(
            (r) => r.roof === building.roof && Math.hypot(r.x - p.x, r.y - p.y) < tolerancePx && whole(r, building),
          );
          return roof ? [{ building, roof }] : [];
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
