import { gaussian, hash2, seededRandom, valueNoise } from './random';

// Math held in a module constant: under jest every global lookup goes through the vm context's
// interceptor, which made these per-pixel loops 5–60× slower in tests than in production.
const M = Math;

/** An orthographic picture of the ground: RGB, north up, `resolutionM` metres per pixel. */
export interface GroundRaster {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly resolutionM: number;
  /** Local coordinates of the top-left corner (west edge, north edge), metres. */
  readonly west: number;
  readonly north: number;
  /** The buildings drawn on it: flat roofs at known places, landmarks to measure between. */
  readonly buildings: readonly GroundBuilding[];
}

/** A building seen from above: an axis-aligned rectangle, local metres, its roof's colour. */
export interface GroundBuilding {
  /** Centre, metres east and north of the survey's origin. */
  readonly east: number;
  readonly north: number;
  readonly widthM: number;
  readonly heightM: number;
  readonly roof: 'red' | 'grey';
}

/** The raster's pixels and placement, as drawn before its buildings are listed. */
type Pixels = Omit<GroundRaster, 'buildings'>;

const FIELD_CELL_M = 28;
const PALETTE: [number, number, number][] = [
  [92, 128, 58],
  [118, 146, 70],
  [146, 124, 82],
  [170, 150, 96],
  [78, 110, 52],
  [188, 172, 110],
  [104, 92, 70],
];

/**
 * Farmland seen from above: fields (Voronoi cells) with crop rows, two roads, scattered trees and
 * a few buildings, with fine noise so that every patch has texture a matcher can use. Drawn by
 * hand because no npm package renders landscapes; deterministic for a seed.
 */
export function renderGround(
  west: number,
  north: number,
  widthM: number,
  heightM: number,
  resolutionM: number,
  seed: number,
): GroundRaster {
  const width = M.ceil(widthM / resolutionM);
  const height = M.ceil(heightM / resolutionM);
  const rgb = new Uint8Array(width * height * 3);
  const roads = [
    { a: [-1000, -25], b: [1000, 35], half: 3.2 },
    { a: [18, -1000], b: [-12, 1000], half: 2.6 },
  ];
  for (let row = 0; row < height; row++) {
    const n = north - (row + 0.5) * resolutionM;
    for (let col = 0; col < width; col++) {
      const e = west + (col + 0.5) * resolutionM;
      let [r, g, b] = field(e, n, seed);
      const road = roads
        .map((rd) => distanceToSegment(e, n, rd.a as [number, number], rd.b as [number, number]) / rd.half)
        .reduce((m, d) => M.min(m, d), Infinity);
      if (road < 1) {
        const marking = road < 0.06 && M.floor((e + n) / 3) % 2 === 0;
        [r, g, b] = marking ? [235, 235, 225] : [96, 96, 100];
      } else if (road < 1.25) {
        [r, g, b] = [150, 140, 120];
      }
      const fine = valueNoise(e, n, 0.35, seed + 7) - 0.5;
      const mid = valueNoise(e, n, 2.5, seed + 11) - 0.5;
      const shade = 1 + 0.35 * fine + 0.25 * mid;
      const i = (row * width + col) * 3;
      rgb[i] = clamp(r * shade);
      rgb[i + 1] = clamp(g * shade);
      rgb[i + 2] = clamp(b * shade);
    }
  }
  const raster = { rgb, width, height, resolutionM, west, north };
  return { ...raster, buildings: stampFeatures(raster, seed) };
}

function field(e: number, n: number, seed: number): [number, number, number] {
  const cx = M.floor(e / FIELD_CELL_M);
  const cy = M.floor(n / FIELD_CELL_M);
  let best = Infinity;
  let id = 0;
  let bx = 0;
  let by = 0;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const gx = cx + dx;
      const gy = cy + dy;
      const sx = (gx + hash2(gx, gy, seed)) * FIELD_CELL_M;
      const sy = (gy + hash2(gy, gx, seed + 1)) * FIELD_CELL_M;
      const d = (e - sx) ** 2 + (n - sy) ** 2;
      if (d < best) {
        best = d;
        bx = gx;
        by = gy;
        id = M.floor(hash2(gx, gy, seed + 2) * 1e6);
      }
    }
  }
  const base = PALETTE[id % PALETTE.length] as [number, number, number];
  const angle = hash2(bx, by, seed + 3) * M.PI;
  const period = 1.2 + hash2(bx, by, seed + 4) * 1.8;
  const along = e * M.cos(angle) + n * M.sin(angle);
  const rows = 0.82 + 0.18 * M.sin((2 * M.PI * along) / period);
  return [base[0] * rows, base[1] * rows, base[2] * rows];
}

/** Draws the trees and buildings; returns the buildings. */
function stampFeatures(raster: Pixels, seed: number): GroundBuilding[] {
  const random = seededRandom(seed + 99);
  const areaM2 = raster.width * raster.height * raster.resolutionM ** 2;
  const trees = M.round(areaM2 / 450);
  for (let k = 0; k < trees; k++) {
    const e = raster.west + random() * raster.width * raster.resolutionM;
    const n = raster.north - random() * raster.height * raster.resolutionM;
    const radius = 1.6 + M.abs(gaussian(random)) * 1.2;
    disc(raster, e, n, radius, (d) => {
      const lit = 0.55 + 0.45 * (1 - d);
      return [38 * lit + 10, 70 * lit + 12, 30 * lit + 8];
    });
  }
  const count = M.max(2, M.round(areaM2 / 9000));
  const buildings: GroundBuilding[] = [];
  for (let k = 0; k < count; k++) {
    const e = raster.west + (0.15 + 0.7 * random()) * raster.width * raster.resolutionM;
    const n = raster.north - (0.15 + 0.7 * random()) * raster.height * raster.resolutionM;
    const w = 6 + random() * 10;
    const h = 5 + random() * 7;
    const red = random() < 0.5;
    const roof: [number, number, number] = red ? [150, 62, 48] : [120, 124, 132];
    const drawn = rect(raster, e, n, w, h, (u) => (u < 0.5 ? roof : [roof[0] * 0.78, roof[1] * 0.78, roof[2] * 0.78]));
    // The building as drawn: whole pixels, up to one more on each side than asked for.
    buildings.push({
      east: (drawn.west + drawn.east) / 2,
      north: (drawn.south + drawn.north) / 2,
      widthM: drawn.east - drawn.west,
      heightM: drawn.north - drawn.south,
      roof: red ? 'red' : 'grey',
    });
  }
  return buildings;
}

function disc(
  raster: Pixels,
  e: number,
  n: number,
  radius: number,
  color: (d: number) => [number, number, number],
): void {
  const res = raster.resolutionM;
  const c0 = M.floor((e - radius - raster.west) / res);
  const c1 = M.ceil((e + radius - raster.west) / res);
  const r0 = M.floor((raster.north - (n + radius)) / res);
  const r1 = M.ceil((raster.north - (n - radius)) / res);
  for (let row = M.max(0, r0); row < M.min(raster.height, r1); row++) {
    for (let col = M.max(0, c0); col < M.min(raster.width, c1); col++) {
      const pe = raster.west + (col + 0.5) * res;
      const pn = raster.north - (row + 0.5) * res;
      const d = M.hypot(pe - e, pn - n) / radius;
      if (d <= 1) put(raster, row, col, color(d));
    }
  }
}

function rect(
  raster: Pixels,
  e: number,
  n: number,
  w: number,
  h: number,
  color: (u: number) => [number, number, number],
): { west: number; east: number; south: number; north: number } {
  const res = raster.resolutionM;
  const [row0, row1] = [
    M.max(0, M.floor((raster.north - (n + h / 2)) / res)),
    M.min(raster.height, M.ceil((raster.north - (n - h / 2)) / res)),
  ];
  const [col0, col1] = [
    M.max(0, M.floor((e - w / 2 - raster.west) / res)),
    M.min(raster.width, M.ceil((e + w / 2 - raster.west) / res)),
  ];
  for (let row = row0; row < row1; row++) {
    for (let col = col0; col < col1; col++) {
      const pe = raster.west + (col + 0.5) * res;
      put(raster, row, col, color((pe - (e - w / 2)) / w));
    }
  }
  return {
    west: raster.west + col0 * res,
    east: raster.west + col1 * res,
    north: raster.north - row0 * res,
    south: raster.north - row1 * res,
  };
}

function put(raster: Pixels, row: number, col: number, [r, g, b]: [number, number, number]): void {
  const i = (row * raster.width + col) * 3;
  raster.rgb[i] = clamp(r);
  raster.rgb[i + 1] = clamp(g);
  raster.rgb[i + 2] = clamp(b);
}

function distanceToSegment(x: number, y: number, a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const t = M.max(0, M.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy)));
  return M.hypot(x - (a[0] + t * dx), y - (a[1] + t * dy));
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : M.round(v);
}
