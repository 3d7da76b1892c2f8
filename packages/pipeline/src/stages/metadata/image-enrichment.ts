import { type FootprintRecord, type ImageRecord } from '@aerial/contracts';
import { captureInstant, sunAtCapture } from './sun-position';
import { type WeatherObservation, type WeatherProvider } from './weather';

/** What Metadata adds to an image: its capture instant, the sun's position then, and the weather. */
export interface ImageEnrichment {
  image: string;
  capturedAt?: string;
  sun?: ReturnType<typeof sunAtCapture>;
  weather?: WeatherObservation;
}

/** Each image's enrichment, placed at its footprint's centre (else its GPS position). */
export async function enrichImages(
  records: readonly ImageRecord[],
  footprintOf: ReadonlyMap<string, FootprintRecord>,
  provider: WeatherProvider | undefined,
  progress: (done: number) => void,
): Promise<ImageEnrichment[]> {
  const enrichment: ImageEnrichment[] = [];
  for (const [k, record] of records.entries()) {
    const f = footprintOf.get(record.name);
    const lon = f?.center[0] ?? record.gps?.longitude;
    const lat = f?.center[1] ?? record.gps?.latitude;
    const capturedAt = record.captureTime && lon !== undefined ? captureInstant(record.captureTime, lon) : undefined;
    const sun =
      record.captureTime && lon !== undefined && lat !== undefined
        ? sunAtCapture(record.captureTime, lon, lat)
        : undefined;
    let observed: WeatherObservation | undefined;
    if (provider && capturedAt && lat !== undefined && lon !== undefined) {
      observed = await provider.observe(lat, lon, capturedAt).catch(() => undefined);
    }
    enrichment.push({
      image: record.name,
      ...(capturedAt ? { capturedAt } : {}),
      ...(sun ? { sun } : {}),
      ...(observed ? { weather: observed } : {}),
    });
    progress(k + 1);
  }
  return enrichment;
}
