import area from '@turf/area';
import distance from '@turf/distance';
import length from '@turf/length';
import maplibregl, {
  type GeoJSONSource,
  type IControl,
  type MapMouseEvent,
  type Map as MapLibreMap,
  type Marker,
} from 'maplibre-gl';
import type { Feature, FeatureCollection, Position } from 'geojson';

type Mode = 'distance' | 'area';

const HELP =
  'Click points on the map, or move it with the arrow keys and press Space to add the point under the cross. ' +
  'Enter or a double-click finishes, Backspace removes the last point, Esc clears.';

/** Metres as people read them: m below a kilometre, km above. */
export function formatDistance(metres: number): string {
  if (metres < 1000) return `${metres.toFixed(metres < 10 ? 2 : 1)} m`;
  return `${(metres / 1000).toFixed(3)} km`;
}

/** Square metres as people read them: m² below a hectare, ha below a square kilometre, km² above. */
export function formatArea(squareMetres: number): string {
  if (squareMetres < 10_000) return `${squareMetres.toFixed(1)} m²`;
  if (squareMetres < 1_000_000) return `${(squareMetres / 10_000).toFixed(3)} ha`;
  return `${(squareMetres / 1_000_000).toFixed(3)} km²`;
}

/**
 * Distance and area on the ground, geodesic (turf, on the WGS84 mean sphere): points added by
 * click or, keyboard only, with Space at the cross in the map's centre; a line gives its length,
 * a polygon its area and perimeter, labelled on the map and announced in the control's readout.
 */
export class MeasureControl implements IControl {
  private map?: MapLibreMap;
  private container?: HTMLElement;
  private readout?: HTMLOutputElement;
  private cross?: HTMLElement;
  private buttons = new Map<Mode, HTMLButtonElement>();
  private mode: Mode | undefined;
  private points: Position[] = [];
  private hover: Position | undefined;
  private finished = false;
  private labels: Marker[] = [];

  /** Whether the tool owns map clicks now (other layers' click handlers step aside). */
  get active(): boolean {
    return this.mode !== undefined;
  }

  onAdd(map: MapLibreMap): HTMLElement {
    this.map = map;
    const container = document.createElement('div');
    container.className = 'maplibregl-ctrl maplibregl-ctrl-group measure-control';
    for (const [mode, text] of [
      ['distance', 'Measure distance'],
      ['area', 'Measure area'],
    ] as const) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = mode === 'distance' ? 'Distance' : 'Area';
      button.title = text;
      button.setAttribute('aria-label', text);
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => this.toggle(mode));
      this.buttons.set(mode, button);
      container.append(button);
    }
    // Under the map, not on it: the help and the results must not hide what is measured.
    this.readout = document.createElement('output');
    this.readout.id = 'measure-result';
    this.readout.className = 'measure-readout';
    this.readout.setAttribute('aria-live', 'polite');
    map.getContainer().after(this.readout);
    this.cross = document.createElement('div');
    this.cross.className = 'measure-cross';
    this.cross.hidden = true;
    map.getContainer().append(this.cross);
    this.container = container;

    map.addSource('measure', { type: 'geojson', data: this.geometry() });
    map.addLayer({
      id: 'measure-fill',
      type: 'fill',
      source: 'measure',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': '#f0a500', 'fill-opacity': 0.2 },
    });
    map.addLayer({
      id: 'measure-line',
      type: 'line',
      source: 'measure',
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': '#f0a500', 'line-width': 3, 'line-dasharray': [2, 1] },
    });
    map.addLayer({
      id: 'measure-points',
      type: 'circle',
      source: 'measure',
      filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 4, 'circle-color': '#fff', 'circle-stroke-color': '#f0a500', 'circle-stroke-width': 2 },
    });
    map.on('click', this.onClick);
    map.on('dblclick', this.onDoubleClick);
    map.on('mousemove', this.onMove);
    map.getContainer().addEventListener('keydown', this.onKey);
    return container;
  }

  onRemove(): void {
    this.map?.off('click', this.onClick);
    this.map?.off('dblclick', this.onDoubleClick);
    this.map?.off('mousemove', this.onMove);
    this.map?.getContainer().removeEventListener('keydown', this.onKey);
    for (const label of this.labels) label.remove();
    this.cross?.remove();
    this.readout?.remove();
    this.container?.remove();
  }

  /** Starts measuring in `mode`, or stops when it is already on. */
  private toggle(mode: Mode): void {
    const map = this.map!;
    this.mode = this.mode === mode ? undefined : mode;
    this.clear();
    for (const [m, button] of this.buttons) button.setAttribute('aria-pressed', String(m === this.mode));
    // Its double-click finishes a measurement instead of zooming in.
    if (this.mode) map.doubleClickZoom.disable();
    else map.doubleClickZoom.enable();
    map.getCanvas().style.cursor = this.mode ? 'crosshair' : '';
    this.cross!.hidden = !this.mode;
    if (this.mode) map.getCanvas().focus();
  }

  private readonly onClick = (e: MapMouseEvent) => {
    if (!this.mode) return;
    // A double-click's second click lands on the point its first one added.
    const last = this.points.at(-1);
    if (!this.finished && last) {
      const at = this.map!.project(last as [number, number]);
      if (Math.hypot(at.x - e.point.x, at.y - e.point.y) < 4) return;
    }
    this.add([e.lngLat.lng, e.lngLat.lat]);
  };

  private readonly onDoubleClick = (e: MapMouseEvent) => {
    if (!this.mode) return;
    e.preventDefault();
    this.finish();
  };

  private readonly onMove = (e: MapMouseEvent) => {
    if (!this.mode || this.finished || this.points.length === 0) return;
    this.hover = [e.lngLat.lng, e.lngLat.lat];
    this.draw();
  };

  private readonly onKey = (e: KeyboardEvent) => {
    // Keys typed in the control's own buttons are theirs.
    if (!this.mode || e.target !== this.map!.getCanvas()) return;
    if (e.key === ' ') {
      const centre = this.map!.getCenter();
      this.add([centre.lng, centre.lat]);
    } else if (e.key === 'Enter') this.finish();
    else if (e.key === 'Backspace' && !this.finished) {
      this.points.pop();
      this.update();
    } else if (e.key === 'Escape') {
      if (this.points.length === 0) this.toggle(this.mode);
      else this.clear();
    } else return;
    e.preventDefault();
  };

  private add(point: Position): void {
    if (this.finished) this.clear();
    this.points.push(point);
    this.update();
  }

  private finish(): void {
    if (this.points.length < (this.mode === 'area' ? 3 : 2)) return;
    this.finished = true;
    this.hover = undefined;
    this.update();
  }

  private clear(): void {
    this.points = [];
    this.hover = undefined;
    this.finished = false;
    this.update();
  }

  private update(): void {
    this.draw();
    this.label();
  }

  /** The measured shape: its vertices, the line (closed for an area) and, for an area, the polygon. */
  private geometry(): FeatureCollection {
    const shown = this.hover ? [...this.points, this.hover] : this.points;
    const features: Feature[] = this.points.map((p) => ({
      type: 'Feature',
      properties: {},
      geometry: { type: 'Point', coordinates: p },
    }));
    if (shown.length >= 2) {
      const ring = this.mode === 'area' && shown.length >= 3 ? [...shown, shown[0]!] : shown;
      features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring } });
      if (ring !== shown)
        features.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } });
    }
    return { type: 'FeatureCollection', features };
  }

  private draw(): void {
    (this.map?.getSource('measure') as GeoJSONSource | undefined)?.setData(this.geometry());
  }

  /** Segment lengths at their middles, the total (or the area) at the end, and the readout. */
  private label(): void {
    for (const label of this.labels) label.remove();
    this.labels = [];
    const map = this.map!;
    const points = this.points;
    const closed = this.mode === 'area' && points.length >= 3;
    const ring = closed ? [...points, points[0]!] : points;
    const tag = (at: Position, text: string, className: string) => {
      const element = document.createElement('div');
      element.className = `measure-label ${className}`;
      element.textContent = text;
      this.labels.push(new maplibregl.Marker({ element }).setLngLat(at as [number, number]).addTo(map));
    };
    // One segment is its own total: no second label.
    for (let i = 1; i < ring.length && ring.length > 2; i++) {
      const [a, b] = [ring[i - 1]!, ring[i]!];
      tag([(a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2], formatDistance(distance(a, b, { units: 'meters' })), 'segment');
    }
    if (!this.mode || points.length === 0) {
      this.readout!.textContent = this.mode ? HELP : '';
      delete this.readout!.dataset.value;
      delete this.readout!.dataset.finished;
      return;
    }
    const metres =
      ring.length >= 2
        ? length(
            { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring } },
            { units: 'meters' },
          )
        : 0;
    let text: string;
    let value = metres;
    if (this.mode === 'area') {
      value = closed ? area({ type: 'Polygon', coordinates: [ring] }) : 0;
      text = closed ? `Area ${formatArea(value)}, perimeter ${formatDistance(metres)}` : 'Area: add at least 3 points';
      if (closed) {
        const centre: Position = [0, 1].map((k) => points.reduce((s, p) => s + p[k]!, 0) / points.length);
        tag(centre, formatArea(value), 'total');
      }
    } else {
      text = points.length >= 2 ? `Distance ${formatDistance(metres)}` : 'Distance: add another point';
      if (points.length >= 2) tag(points.at(-1)!, formatDistance(metres), 'total');
    }
    const canFinish = points.length >= (this.mode === 'area' ? 3 : 2);
    this.readout!.textContent = !this.finished && canFinish ? `${text}; Enter finishes` : text;
    this.readout!.dataset.value = String(value);
    this.readout!.dataset.finished = String(this.finished);
  }
}
