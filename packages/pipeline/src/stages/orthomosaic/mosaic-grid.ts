import { AerialError } from '@aerial/contracts';
import { type LocalFrame } from '../../geo/local-frame';
import { utmZoneFor } from '../../geo/utm';
import { type Projection, projectionFor } from '../../geo/projection';
import { groundResolution, mercatorResolution, TILE_SIZE } from '../../geo/web-mercator';
import { apply, type Similarity } from './similarity';

/**
 * Refuses a mosaic that reaches far beyond where its photos were taken (projected corners against
 * GPS positions, with a footprint's diagonal and GPS noise to spare): a failed placement must not
 * become a raster of gigabytes.
 */
export function checkExtent(
  corners: readonly [number, number][],
  gps: readonly [number, number][],
  footprintM: number,
): void {
  if (gps.length === 0) return;
  const margin = footprintM + 50;
  const beyond = Math.max(
    Math.min(...gps.map((g) => g[0])) - margin - Math.min(...corners.map((c) => c[0])),
    Math.max(...corners.map((c) => c[0])) - Math.max(...gps.map((g) => g[0])) - margin,
    Math.min(...gps.map((g) => g[1])) - margin - Math.min(...corners.map((c) => c[1])),
    Math.max(...corners.map((c) => c[1])) - Math.max(...gps.map((g) => g[1])) - margin,
  );
  if (beyond > 0)
    throw new AerialError(
      'Aerial.QualityRejected',
      `the placed photos reach ${beyond.toFixed(0)} m beyond their GPS positions and a footprint: a placement failed`,
      'check the Footprints report (registration residuals, photos left out)',
    );
}

/** Where the mosaic's pixels lie: a projection, a pixel size, and the lattice its origin snaps to. */
export interface MosaicGrid extends Projection {
  readonly pixelM: number;
  /** Ground size of a pixel at the job, metres. */
  readonly groundPixelM: number;
  /** The origin is a multiple of `snapM` away from (snapOffsetX, snapOffsetY). */
  readonly snapM: number;
  readonly snapOffsetX: number;
  readonly snapOffsetY: number;
}

export function mosaicGrid(
  projection: 'utm' | 'web-mercator',
  frame: LocalFrame,
  gsdM: number,
  zoom: number,
): MosaicGrid {
  if (projection === 'web-mercator') {
    const pixelM = mercatorResolution(zoom);
    const halfWorld = (TILE_SIZE * 2 ** zoom * pixelM) / 2;
    return {
      ...projectionFor(3857),
      pixelM,
      groundPixelM: groundResolution(zoom, frame.originLat),
      // Tile corners: the Tiles stage then cuts pages without resampling.
      snapM: TILE_SIZE * pixelM,
      snapOffsetX: -halfWorld,
      snapOffsetY: halfWorld,
    };
  }
  const zone = utmZoneFor(frame.originLon, frame.originLat);
  const pixelM = Math.max(0.001, Math.round(gsdM * 1e4) / 1e4);
  return { ...zone, pixelM, groundPixelM: pixelM, snapM: pixelM, snapOffsetX: 0, snapOffsetY: 0 };
}

/** A frame placement carried into projected metres (y up), exact for the similarity's two points. */
export function toProjectedSimilarity(
  t: Similarity,
  width: number,
  toProjected: (x: number, y: number) => [number, number],
): Similarity {
  const span = width / 2;
  const [x0, y0] = toProjected(...apply(t, 0, 0));
  const [x1, y1] = toProjected(...apply(t, span, 0));
  // Image y points down and projected y up: the map from (u, v) keeps its form with b negated.
  return { a: (x1 - x0) / span, b: (y1 - y0) / span, tx: x0, ty: y0 };
}

/** The four image corners in projected metres (y up) for a placement from `toProjectedSimilarity`. */
export function cornersOf(t: Similarity, width: number, height: number): [number, number][] {
  return [
    [-width / 2, -height / 2],
    [width / 2, -height / 2],
    [width / 2, height / 2],
    [-width / 2, height / 2],
  ].map(([u, v]) => [t.a * u! + t.b * v! + t.tx, t.b * u! - t.a * v! + t.ty]);
}
