import type { FeatureCollection } from 'geojson';

/** The bounds of the footprints; undefined when there are none yet. */
export function boundsOf(collection: FeatureCollection): [number, number, number, number] | undefined {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      box[0] = Math.min(box[0], x!);
      box[1] = Math.min(box[1], y!);
      box[2] = Math.max(box[2], x!);
      box[3] = Math.max(box[3], y!);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  for (const feature of collection.features)
    if (feature.geometry && 'coordinates' in feature.geometry) visit(feature.geometry.coordinates);
  return box[0] <= box[2] ? box : undefined;
}
