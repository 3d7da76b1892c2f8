import { type FootprintRecord } from '@aerial/contracts';
import { apply } from '../orthomosaic/similarity';
import { round } from '../../numbers/round';
import { type GroundRectangle, overlaps } from './footprint-geometry';
import { type PhotoPlacement, type PhotoToPlace, type PlacedPhoto } from './place-images';

/** A photo the placement placed, with its ground rectangle in the local frame. */
export interface PlacedFootprint {
  readonly photo: PhotoToPlace;
  readonly placed: PlacedPhoto;
  readonly rect: GroundRectangle;
}

/** The photos the placement placed, in input order, each with its ground rectangle. */
export function placedFootprints(photos: readonly PhotoToPlace[], placement: PhotoPlacement): PlacedFootprint[] {
  return photos.flatMap((photo, k) => {
    const p = placement.photos[k];
    return p ? [{ photo, placed: p, rect: groundRectangleOf(photo, p, placement.unitM) }] : [];
  });
}

/** A footprint row per placed photo: polygon and centre in WGS84, GSD, size, height, heading, overlap. */
export function footprintRows(placed: readonly PlacedFootprint[], placement: PhotoPlacement): FootprintRecord[] {
  const { frame } = placement;
  const overlap = overlaps(placed.map((p) => p.rect));
  return placed.map(({ photo, placed: p, rect }, i) => {
    const ring = [...rect.corners, rect.corners[0]!].map(([e, n]) => roundLonLat(frame.toLonLat(e, n)));
    return {
      image: photo.record.name,
      footprint: { type: 'Polygon', coordinates: [ring] },
      center: roundLonLat(frame.toLonLat(...rect.center)),
      gsdCm: round(rect.gsdM * 100, 4),
      widthM: round(rect.widthM, 3),
      heightM: round(rect.heightM, 3),
      ...(p.heightM !== undefined ? { heightAboveGroundM: round(p.heightM, 3) } : {}),
      heightSource: p.heightSource,
      headingDeg: round(p.headingDeg, 3) % 360,
      headingSource: p.headingSource,
      registered: p.registered,
      ...(p.tiltDeg !== undefined ? { tiltDeg: round(p.tiltDeg, 2) } : {}),
      ...(overlap[i]!.forward !== undefined ? { forwardOverlap: round(overlap[i]!.forward!, 4) } : {}),
      ...(overlap[i]!.side !== undefined ? { sideOverlap: round(overlap[i]!.side!, 4) } : {}),
    };
  });
}

/** The photo's ground rectangle in the local frame (east/north metres) from its placement. */
function groundRectangleOf(photo: PhotoToPlace, placed: PlacedPhoto, unitM: number): GroundRectangle {
  const corner = (u: number, v: number): [number, number] => {
    const [x, y] = apply(placed.placement, u, v);
    return [x * unitM, -y * unitM];
  };
  const w = photo.width / 2;
  const h = photo.height / 2;
  return {
    center: corner(0, 0),
    widthM: placed.gsdM * photo.width,
    heightM: placed.gsdM * photo.height,
    headingDeg: placed.headingDeg,
    corners: [corner(-w, -h), corner(w, -h), corner(w, h), corner(-w, h)],
    gsdM: placed.gsdM,
  };
}

function roundLonLat([lon, lat]: [number, number]): [number, number] {
  return [round(lon, 8), round(lat, 8)];
}
