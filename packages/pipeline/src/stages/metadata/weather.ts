import { type RuntimeConfig } from '@aerial/contracts';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** Conditions at a place and time, as a provider reports them. */
export const WeatherObservationSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  temperatureC: z.number().optional(),
  windSpeedMs: z.number().min(0).optional(),
  windDirectionDeg: z.number().min(0).max(360).optional(),
  cloudCoverPercent: z.number().min(0).max(100).optional(),
  precipitationMm: z.number().min(0).optional(),
  source: z.string().optional(),
});
export type WeatherObservation = z.infer<typeof WeatherObservationSchema>;

/** Where the Metadata stage gets the weather at capture; pluggable so that none is required. */
export interface WeatherProvider {
  readonly name: string;
  observe(latitude: number, longitude: number, at: string): Promise<WeatherObservation | undefined>;
}

/** Observations from a JSON file (an array of {@link WeatherObservation}); the nearest in time within 3 h and 50 km wins. */
export class FileWeatherProvider implements WeatherProvider {
  readonly name: string;
  private observations?: Promise<WeatherObservation[]>;

  constructor(private readonly path: string) {
    this.name = `file:${path}`;
  }

  async observe(latitude: number, longitude: number, at: string): Promise<WeatherObservation | undefined> {
    this.observations ??= readFile(this.path, 'utf8').then((text) => {
      const parsed = z.array(WeatherObservationSchema).safeParse(JSON.parse(text));
      if (!parsed.success)
        throw new Error(`weather file ${this.path} is not a list of observations: ${parsed.error.message}`);
      return parsed.data;
    });
    const t = Date.parse(at);
    let best: WeatherObservation | undefined;
    let bestDt = 3 * 3600_000;
    for (const o of await this.observations) {
      const dt = Math.abs(Date.parse(o.at) - t);
      const km =
        Math.hypot(o.latitude - latitude, (o.longitude - longitude) * Math.cos((latitude * Math.PI) / 180)) * 111;
      if (dt <= bestDt && km <= 50) {
        best = o;
        bestDt = dt;
      }
    }
    return best;
  }
}

/**
 * Open-Meteo's historical API (no key). Off unless chosen: jobs must not depend on the network,
 * and the machines that test this project have none.
 */
export class OpenMeteoWeatherProvider implements WeatherProvider {
  readonly name = 'open-meteo';

  async observe(latitude: number, longitude: number, at: string): Promise<WeatherObservation | undefined> {
    const day = at.slice(0, 10);
    const url = new URL('https://archive-api.open-meteo.com/v1/archive');
    url.search = new URLSearchParams({
      latitude: String(latitude),
      longitude: String(longitude),
      start_date: day,
      end_date: day,
      hourly: 'temperature_2m,wind_speed_10m,wind_direction_10m,cloud_cover,precipitation',
      wind_speed_unit: 'ms',
      timezone: 'UTC',
    }).toString();
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return undefined;
    const body = z
      .object({
        hourly: z.object({
          time: z.array(z.string()),
          temperature_2m: z.array(z.number().nullable()),
          wind_speed_10m: z.array(z.number().nullable()),
          wind_direction_10m: z.array(z.number().nullable()),
          cloud_cover: z.array(z.number().nullable()),
          precipitation: z.array(z.number().nullable()),
        }),
      })
      .safeParse(await response.json());
    if (!body.success) return undefined;
    const hour = Number(at.slice(11, 13));
    const h = body.data.hourly;
    const pick = (values: (number | null)[]) => values[hour] ?? undefined;
    return {
      at: `${h.time[hour] ?? `${day}T00:00`}:00Z`,
      latitude,
      longitude,
      temperatureC: pick(h.temperature_2m),
      windSpeedMs: pick(h.wind_speed_10m),
      windDirectionDeg: pick(h.wind_direction_10m),
      cloudCoverPercent: pick(h.cloud_cover),
      precipitationMm: pick(h.precipitation),
      source: this.name,
    };
  }
}

/** The provider `AERIAL_WEATHER` names: `file:<path>` or `open-meteo`; none by default. */
export function weatherProviderOf(config: Pick<RuntimeConfig, 'AERIAL_WEATHER'>): WeatherProvider | undefined {
  const value = config.AERIAL_WEATHER.trim();
  if (!value || value === 'none') return undefined;
  if (value.startsWith('file:')) return new FileWeatherProvider(value.slice(5));
  if (value === 'open-meteo') return new OpenMeteoWeatherProvider();
  throw new Error(`AERIAL_WEATHER must be "none", "file:<path>" or "open-meteo", not ${JSON.stringify(value)}`);
}
