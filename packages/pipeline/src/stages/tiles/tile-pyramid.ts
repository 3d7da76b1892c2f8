import { isOnXyzGrid, type ProjectedRaster, rasterPixelsPerWorldPixel, worldOrigin } from '../../geo/projected-raster';
import { TILE_SIZE } from '../../geo/web-mercator';
import { cutLevel } from './tile-cutter';
import { type CutOptions, type EncodeSlots } from './tile-encoding';
import { tilesOf, warpArea, warpLevel } from './tile-warper';

const M = Math;

/**
 * How far from a pixel corner of the XYZ grid a 3857 mosaic's corner may lie and still be cut
 * without resampling: a twentieth of a pixel shows nowhere, and leaves room for an origin rounded
 * in a summary.
 */
const ON_GRID_PX = 0.05;

/** The orthomosaic COG as Tiles sees it: its georeference, its overviews and the zooms to cut. */
export interface MosaicPyramid extends ProjectedRaster {
  /** COG overview pages (each halves). */
  readonly overviews: number;
  /** The finest zoom cut (the mosaic's own resolution) and the coarsest (the job in one tile). */
  readonly maxZoom: number;
  readonly minZoom: number;
}

export interface PyramidOptions {
  readonly slots: EncodeSlots;
  readonly webp: CutOptions['webp'];
  /** Height of the COG's own tiles. */
  readonly blockRows: number;
  readonly onTile: (zoom: number, x: number, y: number, webp: Buffer) => Promise<void>;
  /** Fraction of the pixels cut so far, 0–1. */
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
}

/** One zoom's cut: its first XYZ tile and how it is made. */
interface LevelPlan {
  readonly tileX: number;
  readonly tileY: number;
  /** Resampled (true), or copied from a page of the COG as it lies. */
  readonly warped: boolean;
  readonly cut: (o: CutOptions) => Promise<number>;
}

/**
 * How one zoom is cut. A 3857 mosaic on the XYZ pixel grid of its zoom, whose corner falls on a
 * pixel corner at this zoom too, is copied from the COG page of this zoom (the overviews halve
 * exactly): no resampling. Anything else (UTM, or a 3857 raster off the grid) is warped from the
 * coarsest page still at least as fine as the tiles, as GDAL picks overviews (it also takes one up
 * to 1.2× coarser; here the finest zoom keeps every detail of the mosaic).
 */
export function planLevel(cogPath: string, mosaic: MosaicPyramid, zoom: number, blockRows: number): LevelPlan {
  const T = TILE_SIZE;
  const k = mosaic.maxZoom - zoom;
  if (isOnXyzGrid(mosaic, mosaic.maxZoom, ON_GRID_PX)) {
    const [x, y] = worldOrigin(mosaic, zoom);
    if (M.abs(x - M.round(x)) <= ON_GRID_PX && M.abs(y - M.round(y)) <= ON_GRID_PX) {
      const originX = M.round(x);
      const originY = M.round(y);
      const tileX = M.floor(originX / T);
      const tileY = M.floor(originY / T);
      const level = {
        cogPath,
        // Past the last overview, the reader shrinks it further.
        page: M.min(k, mosaic.overviews),
        blockRows,
        // An overview's last column and row take what is left of the halved ones (the COG writer
        // and GDAL both round its size up): rounding to nearest shrank some overviews by a pixel.
        width: M.max(1, M.ceil(mosaic.widthPx / 2 ** k)),
        height: M.max(1, M.ceil(mosaic.heightPx / 2 ** k)),
        offsetX: originX - tileX * T,
        offsetY: originY - tileY * T,
      };
      return { tileX, tileY, warped: false, cut: (o) => cutLevel(level, o) };
    }
  }
  const halvings = M.max(0, M.floor(M.log2(rasterPixelsPerWorldPixel(mosaic, zoom)) + 1e-6));
  const area = warpArea(mosaic, zoom);
  const tiles = tilesOf(area);
  const level = {
    cogPath,
    raster: mosaic,
    zoom,
    page: M.min(halvings, mosaic.overviews),
    factor: 2 ** halvings,
    area,
    blockRows,
  };
  return { tileX: tiles.x0, tileY: tiles.y0, warped: true, cut: (o) => warpLevel(level, o) };
}

/**
 * Cuts every zoom from `maxZoom` down to `minZoom` into XYZ tiles. The finest zoom has three
 * quarters of the tiles: it is cut side by side with the others (one after another), all sharing
 * the encoder slots, so neither waits at the end of a level.
 */
export async function cutPyramid(
  cogPath: string,
  mosaic: MosaicPyramid,
  o: PyramidOptions,
): Promise<{ perZoom: Record<number, number>; warped: number[] }> {
  const { maxZoom, minZoom } = mosaic;
  const perZoom: Record<number, number> = {};
  const warped: number[] = [];
  // Progress in pixels cut: the finest zoom is three quarters of the work, not one level of eight.
  const pixelsOf = (zoom: number) => (mosaic.widthPx * mosaic.heightPx) / 4 ** (maxZoom - zoom);
  let allPixels = 0;
  for (let zoom = maxZoom; zoom >= minZoom; zoom--) allPixels += pixelsOf(zoom);
  const rowsDone = new Map<number, number>();
  const cut = async (zoom: number) => {
    o.signal?.throwIfAborted();
    const plan = planLevel(cogPath, mosaic, zoom, o.blockRows);
    if (plan.warped) warped.push(zoom);
    perZoom[zoom] = await plan.cut({
      slots: o.slots,
      webp: o.webp,
      signal: o.signal,
      onTile: (column, row, webp) => o.onTile(zoom, plan.tileX + column, plan.tileY + row, webp),
      onRows: (done, total) => {
        rowsDone.set(zoom, done / total);
        let cutPixels = 0;
        for (const [z, fraction] of rowsDone) cutPixels += pixelsOf(z) * fraction;
        o.onProgress?.(cutPixels / allPixels);
      },
    });
  };
  const cutting = await Promise.allSettled([
    cut(maxZoom),
    (async () => {
      for (let zoom = maxZoom - 1; zoom >= minZoom; zoom--) await cut(zoom);
    })(),
  ]);
  // Both sides have stopped writing before a failure is reported.
  for (const side of cutting) if (side.status === 'rejected') throw side.reason;
  return { perZoom, warped: warped.sort((a, b) => b - a) };
}
