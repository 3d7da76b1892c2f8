import type { FeatureCollection } from 'geojson';
import maplibregl, { type IControl, type MapGeoJSONFeature, type Map as MapLibreMap } from 'maplibre-gl';

/** A photo's row of the QA table (`GET /api/jobs/:jobId/images`). */
interface PhotoQa {
  name: string;
  accepted: boolean;
  reasons: { code: string; message: string }[];
  warnings: string[];
}

/**
 * The job's footprints from the Hub's vector tiles (layer `footprints`: image, accepted, gsdCm) or,
 * for a job never published (a survey, which has no tiles), as its Footprints stage wrote them: outlined, rejected photos in red. A click lists the photos under the point with their QA facts,
 * unless `busy()` says the click belongs to another tool.
 */
export function addFootprints(
  map: MapLibreMap,
  jobId: string,
  get: <T>(path: string) => Promise<T>,
  busy: () => boolean,
  unpublished?: FeatureCollection,
): void {
  map.addSource(
    'footprints',
    unpublished
      ? { type: 'geojson', data: unpublished }
      : {
          type: 'vector',
          // A template, not a URL: `new URL` would percent-encode its braces.
          tiles: [`${location.origin}/tiles/${jobId}/footprints/{z}/{x}/{y}.pbf`],
          // The Hub cuts tiles to zoom 24; past 22 they are over-zoomed here.
          maxzoom: 22,
        },
  );
  const sourceLayer = unpublished ? {} : { 'source-layer': 'footprints' };
  // Invisible (a tint would colour the mosaic), but filled: a click inside a footprint finds it.
  map.addLayer({
    id: 'footprints-fill',
    type: 'fill',
    source: 'footprints',
    ...sourceLayer,
    paint: { 'fill-color': '#0b5cad', 'fill-opacity': 0 },
  });
  map.addLayer({
    id: 'footprints',
    type: 'line',
    source: 'footprints',
    ...sourceLayer,
    paint: {
      'line-color': ['case', ['==', ['get', 'accepted'], false], '#c62828', '#0b5cad'],
      'line-width': 1,
      'line-opacity': 0.6,
    },
  });
  map.addLayer({
    id: 'footprints-selected',
    type: 'line',
    source: 'footprints',
    ...sourceLayer,
    filter: ['in', ['get', 'image'], ['literal', []]],
    paint: { 'line-color': '#f0a500', 'line-width': 3 },
  });

  map.addControl(new FootprintToggle(), 'top-left');

  let qa: Promise<Map<string, PhotoQa>> | undefined;
  const popup = new maplibregl.Popup({ maxWidth: '22rem', className: 'footprint-popup' });
  popup.on('close', () => map.setFilter('footprints-selected', ['in', ['get', 'image'], ['literal', []]]));
  map.on('click', 'footprints-fill', (e) => {
    if (busy()) return;
    // A footprint cut by tile edges comes once per tile: one entry per photo.
    const photos = new Map<string, MapGeoJSONFeature>();
    for (const feature of e.features ?? []) photos.set(String(feature.properties.image), feature);
    if (photos.size === 0) return;
    qa ??= get<{ images: PhotoQa[] }>(`/api/jobs/${jobId}/images`).then(
      ({ images }) => new Map(images.map((image) => [image.name, image])),
    );
    const names = [...photos.keys()].sort();
    map.setFilter('footprints-selected', ['in', ['get', 'image'], ['literal', names]]);
    void qa.then((table) => {
      popup
        .setLngLat(e.lngLat)
        .setDOMContent(photoFacts(names, photos, table))
        .addTo(map);
    });
  });
  map.on('mouseenter', 'footprints-fill', () => {
    if (!busy()) map.getCanvas().style.cursor = 'pointer';
  });
  map.on('mouseleave', 'footprints-fill', () => {
    if (!busy()) map.getCanvas().style.cursor = '';
  });
}

/** The photos under a point, each with its verdict, GSD, reasons and warnings. */
function photoFacts(names: string[], photos: Map<string, MapGeoJSONFeature>, table: Map<string, PhotoQa>): HTMLElement {
  const section = document.createElement('section');
  section.setAttribute('aria-label', 'Photos here');
  const title = document.createElement('strong');
  title.textContent = names.length === 1 ? '1 photo covers this point' : `${names.length} photos cover this point`;
  const list = document.createElement('dl');
  for (const name of names) {
    const facts = table.get(name);
    const gsdCm = Number(photos.get(name)?.properties.gsdCm);
    const term = document.createElement('dt');
    term.textContent = name;
    const verdict = document.createElement('dd');
    const isAccepted = facts?.accepted ?? photos.get(name)?.properties.accepted !== false;
    verdict.dataset.verdict = isAccepted ? 'accepted' : 'rejected';
    verdict.textContent = [
      isAccepted ? 'accepted' : 'rejected',
      Number.isFinite(gsdCm) && gsdCm > 0 ? `GSD ${gsdCm.toFixed(2)} cm/px` : undefined,
      ...(facts?.reasons.map((r) => r.message) ?? []),
      ...(facts?.warnings ?? []),
    ]
      .filter(Boolean)
      .join(' · ');
    list.append(term, verdict);
  }
  section.append(title, list);
  return section;
}

const FOOTPRINT_LAYERS = ['footprints-fill', 'footprints', 'footprints-selected'];

/** A checkbox that shows or hides the footprints, to see the mosaic unobstructed. */
class FootprintToggle implements IControl {
  private container?: HTMLElement;

  onAdd(map: MapLibreMap): HTMLElement {
    const container = document.createElement('div');
    container.className = 'maplibregl-ctrl maplibregl-ctrl-group footprint-toggle';
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.addEventListener('change', () => {
      for (const layer of FOOTPRINT_LAYERS)
        map.setLayoutProperty(layer, 'visibility', box.checked ? 'visible' : 'none');
    });
    label.append(box, ' Footprints');
    container.append(label);
    this.container = container;
    return container;
  }

  onRemove(): void {
    this.container?.remove();
  }
}
