/** A COLMAP sparse model as written by `model_converter --output_type TXT`. */
export interface ColmapModel {
  readonly cameras: { id: number; model: string; width: number; height: number; params: number[] }[];
  readonly images: {
    id: number;
    name: string;
    cameraId: number;
    qvec: [number, number, number, number];
    tvec: [number, number, number];
    observations: number;
  }[];
  readonly points: {
    id: number;
    xyz: [number, number, number];
    rgb: [number, number, number];
    error: number;
    track: number[];
  }[];
}

const rows = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));

/** Parses cameras.txt, images.txt and points3D.txt. Written by hand: no npm package reads them. */
export function parseColmapText(cameras: string, images: string, points: string): ColmapModel {
  const cameraRows = rows(cameras).map((l) => {
    const [id, model, width, height, ...params] = l.trim().split(/\s+/);
    return {
      id: Number(id),
      model: model as string,
      width: Number(width),
      height: Number(height),
      params: params.map(Number),
    };
  });
  const imageLines = images.split('\n').filter((l) => !l.startsWith('#'));
  const imageRows: ColmapModel['images'] = [];
  // Two lines per image: the pose, then its 2D points (possibly empty).
  for (let i = 0; i < imageLines.length; i += 2) {
    const head = imageLines[i]!.trim();
    if (!head) break;
    const [id, qw, qx, qy, qz, tx, ty, tz, cameraId, ...name] = head.split(/\s+/);
    const points2d = (imageLines[i + 1] ?? '').trim().split(/\s+/).filter(Boolean);
    let observations = 0;
    for (let k = 2; k < points2d.length; k += 3) if (points2d[k] !== '-1') observations++;
    imageRows.push({
      id: Number(id),
      name: name.join(' '),
      cameraId: Number(cameraId),
      qvec: [Number(qw), Number(qx), Number(qy), Number(qz)],
      tvec: [Number(tx), Number(ty), Number(tz)],
      observations,
    });
  }
  const pointRows = rows(points).map((l) => {
    const f = l.trim().split(/\s+/).map(Number);
    return {
      id: f[0]!,
      xyz: [f[1]!, f[2]!, f[3]!] as [number, number, number],
      rgb: [f[4]!, f[5]!, f[6]!] as [number, number, number],
      error: f[7]!,
      track: f.slice(8),
    };
  });
  return { cameras: cameraRows, images: imageRows, points: pointRows };
}

/** Camera centre in model coordinates: C = −Rᵀ t, with R from the (w, x, y, z) quaternion. */
export function cameraCenter(qvec: readonly number[], tvec: readonly number[]): [number, number, number] {
  const [w, x, y, z] = qvec as [number, number, number, number];
  const r = [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
  const [tx, ty, tz] = tvec as [number, number, number];
  return [0, 1, 2].map((c) => -(r[0]![c]! * tx + r[1]![c]! * ty + r[2]![c]! * tz)) as [number, number, number];
}

/** Mean reprojection error of the points each image observes, by image id. */
export function reprojectionErrorByImage(model: ColmapModel): Map<number, number> {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const p of model.points) {
    for (let k = 0; k < p.track.length; k += 2) {
      const image = p.track[k]!;
      const s = sums.get(image) ?? { sum: 0, n: 0 };
      s.sum += p.error;
      s.n++;
      sums.set(image, s);
    }
  }
  return new Map([...sums].map(([id, s]) => [id, s.sum / s.n]));
}
