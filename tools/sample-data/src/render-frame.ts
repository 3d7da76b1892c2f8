import { type SimCamera } from './camera';
import { type GroundRaster } from './ground-scene';

// Math held in a module constant: under jest every global lookup goes through the vm context's
// interceptor, which made these per-pixel loops 5–60× slower in tests than in production.
const M = Math;

const RAD = M.PI / 180;

/**
 * What a nadir pinhole camera at (east, north, heightM) facing `heading` sees of the raster:
 * each pixel's ray meets the flat ground and takes the raster's bilinear colour there.
 */
export function renderFrame(
  ground: GroundRaster,
  camera: SimCamera,
  east: number,
  north: number,
  heightM: number,
  heading: number,
): Uint8Array {
  const { widthPx: W, heightPx: H } = camera;
  const out = new Uint8Array(W * H * 3);
  const pixelMm = camera.sensorWidthMm / W;
  const scale = (heightM / camera.focalLengthMm) * pixelMm;
  const t = heading * RAD;
  const rightE = M.cos(t);
  const rightN = -M.sin(t);
  const upE = M.sin(t);
  const upN = M.cos(t);
  const res = ground.resolutionM;
  for (let v = 0; v < H; v++) {
    const y = (H / 2 - v - 0.5) * scale;
    for (let u = 0; u < W; u++) {
      const x = (u + 0.5 - W / 2) * scale;
      const e = east + x * rightE + y * upE;
      const n = north + x * rightN + y * upN;
      const fc = (e - ground.west) / res - 0.5;
      const fr = (ground.north - n) / res - 0.5;
      const c0 = M.max(0, M.min(ground.width - 2, M.floor(fc)));
      const r0 = M.max(0, M.min(ground.height - 2, M.floor(fr)));
      const tx = M.max(0, M.min(1, fc - c0));
      const ty = M.max(0, M.min(1, fr - r0));
      const i00 = (r0 * ground.width + c0) * 3;
      const i01 = i00 + 3;
      const i10 = i00 + ground.width * 3;
      const i11 = i10 + 3;
      const o = (v * W + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = (ground.rgb[i00 + c] as number) * (1 - tx) + (ground.rgb[i01 + c] as number) * tx;
        const bottom = (ground.rgb[i10 + c] as number) * (1 - tx) + (ground.rgb[i11 + c] as number) * tx;
        out[o + c] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}
