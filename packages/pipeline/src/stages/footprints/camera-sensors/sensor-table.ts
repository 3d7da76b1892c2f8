import { OPENSFM_SENSOR_SIZES_MM, OPENSFM_SENSOR_WIDTHS_MM } from './opensfm-sensor-data';

/** A camera's sensor as the sensor table knows it. */
export interface TableSensor {
  /** The table's own spelling of the camera. */
  readonly name: string;
  /** Long side of the sensor, millimetres. */
  readonly widthMm: number;
  /** Short side of the sensor, millimetres, where the source gives it. */
  readonly heightMm?: number;
}

/**
 * Words that name a maker's product line and that EXIF Model strings carry or drop at the maker's
 * whim: Sony writes Model "DSC-RX100" for the table's "Sony Cybershot DSC RX100", Panasonic
 * "DMC-FZ200" for "Panasonic Lumix DMC-FZ200".
 */
const PRODUCT_LINES = new Set(['cybershot', 'powershot', 'lumix', 'finepix', 'coolpix', 'exilim', 'easyshare']);

/** Trailing words of an EXIF Make that name the company, not the brand ("NIKON CORPORATION"). */
const COMPANY_WORDS = new Set(['corporation', 'corp', 'company', 'co', 'ltd', 'coltd', 'inc', 'imaging', 'optical']);

/**
 * The table key of a camera, as OpenSfM builds it (`opensfm/exif.py` `sensor_string`): make and model
 * joined by a space, the make removed from the start of the model where the maker repeats it
 * (Make "Canon", Model "Canon PowerShot SX260 HS"), lowercase. EXIF strings also arrive padded with
 * NULs and runs of spaces, so those are removed too.
 */
export function sensorKey(make: string | undefined, model: string | undefined): string {
  return keysOf(make, model)[0] ?? '';
}

/**
 * The sensor of a camera named by its EXIF Make and Model, or undefined when the table does not know
 * it. Tries the key OpenSfM would use, then the make without its company words, then both with
 * punctuation and product-line words ignored. A spelling two table entries with different sizes
 * share is treated as unknown rather than guessed.
 */
export function lookUpSensor(make: string | undefined, model: string | undefined): TableSensor | undefined {
  const keys = keysOf(make, model);
  const index = sensorIndex();
  for (const key of keys) {
    const hit = index.exact.get(key);
    if (hit) return hit;
  }
  for (const key of keys) {
    const hit = index.loose.get(looseKey(key));
    if (hit) return hit;
  }
  return undefined;
}

/** How many cameras the table holds. */
export function sensorTableSize(): number {
  return OPENSFM_SENSOR_WIDTHS_MM.length + OPENSFM_SENSOR_SIZES_MM.length;
}

function clean(text: string | undefined): string {
  // EXIF ASCII fields arrive NUL-padded to a fixed length.
  return (text ?? '')
    .replace(/\u0000/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

function keysOf(make: string | undefined, model: string | undefined): string[] {
  const fullMake = clean(make);
  const words = fullMake.split(' ');
  while (words.length > 1 && COMPANY_WORDS.has(words[words.length - 1]!.replace(/[^a-z0-9]/g, ''))) words.pop();
  const brand = words.join(' ');
  let cleanModel = clean(model);
  for (const prefix of [fullMake, brand]) {
    if (prefix && (cleanModel === prefix || cleanModel.startsWith(`${prefix} `))) {
      cleanModel = cleanModel.slice(prefix.length).trim();
      break;
    }
  }
  const keys = [fullMake, brand].map((m) => [m, cleanModel].filter(Boolean).join(' ')).filter(Boolean);
  return [...new Set(keys)];
}

function looseKey(key: string): string {
  return key
    .replace(/cyber-shot/g, 'cybershot')
    .split(/[^a-z0-9]+/)
    .filter((word) => word && !PRODUCT_LINES.has(word))
    .join(' ');
}

interface SensorIndex {
  readonly exact: ReadonlyMap<string, TableSensor>;
  readonly loose: ReadonlyMap<string, TableSensor>;
}

let cachedIndex: SensorIndex | undefined;

function sensorIndex(): SensorIndex {
  if (cachedIndex) return cachedIndex;
  const entries: TableSensor[] = [
    ...OPENSFM_SENSOR_WIDTHS_MM.map(([name, widthMm]) => ({ name, widthMm })),
    ...OPENSFM_SENSOR_SIZES_MM.map(([name, widthMm, heightMm]) => ({ name, widthMm, heightMm })),
  ];
  cachedIndex = { exact: unambiguous(entries, clean), loose: unambiguous(entries, (name) => looseKey(clean(name))) };
  return cachedIndex;
}

/** Entries by key, leaving out keys that two entries of different sizes share. */
function unambiguous(entries: readonly TableSensor[], keyOf: (name: string) => string): Map<string, TableSensor> {
  const byKey = new Map<string, TableSensor>();
  const ambiguous = new Set<string>();
  for (const entry of entries) {
    const key = keyOf(entry.name);
    const seen = byKey.get(key);
    if (seen && (seen.widthMm !== entry.widthMm || seen.heightMm !== entry.heightMm)) ambiguous.add(key);
    else if (!seen) byKey.set(key, entry);
  }
  for (const key of ambiguous) byKey.delete(key);
  return byKey;
}
