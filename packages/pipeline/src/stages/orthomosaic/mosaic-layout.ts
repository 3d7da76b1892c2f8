import { type ImageRegistration } from '@aerial/contracts';
import { type LocalFrame, median } from '../../geo/local-frame';
import { zoomForGsd } from '../../geo/web-mercator';
import { checkExtent, cornersOf, type MosaicGrid, mosaicGrid, toProjectedSimilarity } from './mosaic-grid';
import { type MosaicImage } from './mosaic-inputs';
import { type Similarity, scaleOf } from './similarity';

/** The mosaic's raster: its grid, top-left corner, size, and each photo's placement in its pixels. */
export interface MosaicLayout {
  readonly grid: MosaicGrid;
  /** The XYZ zoom nearest the mosaic's resolution. */
  readonly zoom: number;
  readonly pixelM: number;
  readonly originX: number;
  readonly originY: number;
  readonly width: number;
  readonly height: number;
  /** Image pixels (offsets from the centre) to mosaic pixels, per photo. */
  readonly inMosaic: Similarity[];
}

/**
 * The mosaic's grid, north up: by default UTM at the photos' median ground resolution; on
 * request the XYZ grid of the zoom nearest it (EPSG:3857, tile corners on pixel corners).
 */
export function mosaicLayout(
  images: readonly MosaicImage[],
  placements: readonly Similarity[],
  registration: ImageRegistration,
  frame: LocalFrame,
  projection: Parameters<typeof mosaicGrid>[0],
): MosaicLayout {
  const gsdM = median(placements.map((t) => scaleOf(t) * registration.unitM));
  const zoom = zoomForGsd(gsdM, frame.originLat);
  const grid = mosaicGrid(projection, frame, gsdM, zoom);
  const { pixelM } = grid;
  const toMosaicMetres = (x: number, y: number): [number, number] =>
    grid.toProjected(...frame.toLonLat(x * registration.unitM, -y * registration.unitM));
  const projected = images.map((image, k) => toProjectedSimilarity(placements[k]!, image.width, toMosaicMetres));
  const corners = images.flatMap((image, k) => cornersOf(projected[k]!, image.width, image.height));
  const originX =
    grid.snapOffsetX + Math.floor((Math.min(...corners.map((c) => c[0])) - grid.snapOffsetX) / grid.snapM) * grid.snapM;
  const originY =
    grid.snapOffsetY - Math.floor((grid.snapOffsetY - Math.max(...corners.map((c) => c[1]))) / grid.snapM) * grid.snapM;
  const width = Math.ceil((Math.max(...corners.map((c) => c[0])) - originX) / pixelM);
  const height = Math.ceil((originY - Math.min(...corners.map((c) => c[1]))) / pixelM);
  checkExtent(
    corners,
    images.flatMap((i) => (i.record.gps ? [grid.toProjected(i.record.gps.longitude, i.record.gps.latitude)] : [])),
    Math.max(...images.map((i, k) => Math.hypot(i.width, i.height) * scaleOf(placements[k]!))) * registration.unitM,
  );
  // Projected metres (y up) to mosaic pixels (y down).
  const inMosaic = projected.map((t): Similarity => ({
    a: t.a / pixelM,
    b: -t.b / pixelM,
    tx: (t.tx - originX) / pixelM,
    ty: (originY - t.ty) / pixelM,
  }));
  return { grid, zoom, pixelM, originX, originY, width, height, inMosaic };
}

/** The mosaic's bounds in WGS84 (edges sampled at their ends and middles: UTM edges are not meridians). */
export function mosaicBbox(layout: MosaicLayout): [number, number, number, number] {
  const { grid, originX, originY, width, height, pixelM } = layout;
  const edge = (f: number, g: number) => grid.toLonLat(originX + f * width * pixelM, originY - g * height * pixelM);
  const outline = [0, 0.5, 1].flatMap((f) => [edge(f, 0), edge(f, 1), edge(0, f), edge(1, f)]);
  return [
    Math.min(...outline.map((p) => p[0])),
    Math.min(...outline.map((p) => p[1])),
    Math.max(...outline.map((p) => p[0])),
    Math.max(...outline.map((p) => p[1])),
  ];
}
