/**
 * The job page's 3D view: the compressed splats (SOG), the sparse points and the cameras SfM
 * registered, with orbit and fly controls. PlayCanvas' engine draws it (decision 0010: it loaded
 * and drew a SOG sooner than Spark on three.js, from a smaller bundle); main.ts imports this
 * module only for jobs with 3D products, so the page's first load does not carry the engine.
 */
import {
  Application,
  Asset,
  Color,
  Entity,
  FILLMODE_NONE,
  Mesh,
  MeshInstance,
  PRIMITIVE_POINTS,
  RESOLUTION_FIXED,
  SEMANTIC_COLOR,
  SEMANTIC_POSITION,
  ShaderMaterial,
  Vec3,
} from 'playcanvas';
import { CameraControls } from 'playcanvas/scripts/esm/camera-controls.mjs';

/** GET /api/jobs/:jobId/scene (Scene3dSchema in the contracts). */
export interface Scene3d {
  frame: 'ENU';
  splats: {
    href: string;
    bytes: number;
    count: number | null;
    kind: 'trained' | 'untrained-initialisation';
    note: string;
  } | null;
  points: { href: string; count: number } | null;
  cameras: { image: string; position: [number, number, number]; forward: [number, number, number] }[];
}

export interface Viewer3d {
  destroy(): void;
}

/** Sparse points and camera lines on the dark background, in sRGB bytes. */
const BACKGROUND = new Color(0.07, 0.08, 0.1);
const CAMERA_COLOUR = new Color(1, 0.55, 0.1);

/** ENU (z up) to PlayCanvas' world (y up): east stays x, up becomes y, north becomes −z. */
const world = ([e, n, u]: readonly number[]) => new Vec3(e!, u!, -n!);

const POINT_SHADER = {
  uniqueName: 'aerial-sparse-points',
  vertexGLSL: /* glsl */ `
    attribute vec3 aPosition;
    attribute vec4 aColor;
    uniform mat4 matrix_model;
    uniform mat4 matrix_viewProjection;
    varying vec4 vColor;
    void main(void) {
      vColor = aColor;
      gl_Position = matrix_viewProjection * matrix_model * vec4(aPosition, 1.0);
      gl_PointSize = 3.0;
    }`,
  fragmentGLSL: /* glsl */ `
    varying vec4 vColor;
    void main(void) { gl_FragColor = vec4(vColor.rgb, 1.0); }`,
  attributes: { aPosition: SEMANTIC_POSITION, aColor: SEMANTIC_COLOR },
};

/** The view's controls (static markup: nothing from the job goes into it). */
const TEMPLATE = `
  <h3>3D view</h3>
  <p class="viewer-3d-kind" role="status"></p>
  <div class="viewer-3d-tools">
    <label><input type="checkbox" name="splats" /> Splats</label>
    <label><input type="checkbox" name="points" /> Sparse points</label>
    <label><input type="checkbox" name="cameras" /> Cameras</label>
    <label>Controls
      <select name="mode">
        <option value="orbit">Orbit: drag to turn, wheel to zoom</option>
        <option value="fly">Fly: W A S D Q E to move, drag to look</option>
      </select>
    </label>
    <button type="button" name="reset">Reset view</button>
  </div>
  <div class="viewer-3d-canvas"></div>`;

const LABELS: Record<NonNullable<Scene3d['splats']>['kind'], string> = {
  trained: 'Trained splats',
  'untrained-initialisation': 'Untrained initialisation: the SfM points as starting splats, not a trained model',
};

/** Shows the job's scene in `section` (the page's #viewer-3d): the controls, the SOG, the points. */
export async function mountViewer3d(section: HTMLElement, jobId: string, scene: Scene3d): Promise<Viewer3d> {
  if (!section.querySelector('.viewer-3d-canvas')) section.innerHTML = TEMPLATE;
  section.hidden = false;
  delete section.dataset.splatsReady;
  delete section.dataset.pointsReady;
  const kind = section.querySelector<HTMLElement>('.viewer-3d-kind')!;
  kind.textContent = scene.splats
    ? `${LABELS[scene.splats.kind]}${scene.splats.count !== null ? ` (${scene.splats.count.toLocaleString('en')} splats)` : ''}`
    : 'No splats published for this job: sparse points only';
  kind.dataset.kind = scene.splats?.kind ?? 'none';
  kind.title = scene.splats?.note ?? '';

  const canvas = document.createElement('canvas');
  section.querySelector('.viewer-3d-canvas')!.replaceChildren(canvas);
  // preserveDrawingBuffer: the page's tests (and a user's "save image") read the drawn frame back.
  const app = new Application(canvas, { graphicsDeviceOptions: { preserveDrawingBuffer: true, antialias: false } });
  app.setCanvasFillMode(FILLMODE_NONE);
  app.setCanvasResolution(RESOLUTION_FIXED, canvas.clientWidth || 800, canvas.clientHeight || 480);
  const resize = new ResizeObserver(() => app.resizeCanvas(canvas.clientWidth, canvas.clientHeight));
  resize.observe(canvas);
  app.start();

  let points: Awaited<ReturnType<typeof loadPoints>> | undefined;
  try {
    points = scene.points ? await loadPoints(scene.points.href) : undefined;
  } catch (error) {
    // Nothing half-drawn stays: the engine stops and the section goes.
    resize.disconnect();
    app.destroy();
    section.hidden = true;
    throw error;
  }
  const frame = framing(points?.positions, scene.cameras);
  const camera = new Entity('camera');
  camera.addComponent('camera', { clearColor: BACKGROUND, nearClip: frame.radius / 1000, farClip: frame.radius * 50 });
  app.root.addChild(camera);
  camera.addComponent('script');
  const controls = camera.script!.create(CameraControls) as CameraControls;
  controls.moveSpeed = frame.radius / 4;
  controls.moveFastSpeed = frame.radius;
  controls.moveSlowSpeed = frame.radius / 20;
  controls.reset(frame.focus, frame.eye);

  // The scene's content in ENU, turned once so that up is PlayCanvas' +y.
  const enu = new Entity('enu');
  enu.setLocalEulerAngles(-90, 0, 0);
  app.root.addChild(enu);

  const splatEntity = new Entity('splats');
  enu.addChild(splatEntity);
  if (scene.splats) {
    const asset = new Asset(`${jobId}-splats`, 'gsplat', { url: scene.splats.href });
    asset.once('load', () => {
      splatEntity.addComponent('gsplat', { asset });
      // A few frames for the splats' sort to land before saying they are drawn.
      let frames = 0;
      const count = () => {
        if (++frames < 4) return;
        app.off('frameend', count);
        section.dataset.splatsReady = 'true';
      };
      app.on('frameend', count);
    });
    asset.once('error', (e: unknown) => {
      kind.textContent = `The splats could not be loaded: ${String(e)}`;
      section.dataset.splatsReady = 'error';
    });
    app.assets.add(asset);
    app.assets.load(asset);
  }

  const pointEntity = new Entity('sparse-points');
  enu.addChild(pointEntity);
  if (points) {
    const mesh = new Mesh(app.graphicsDevice);
    mesh.setPositions(points.positions);
    mesh.setColors32(points.rgba);
    mesh.update(PRIMITIVE_POINTS);
    pointEntity.addComponent('render', {
      meshInstances: [new MeshInstance(mesh, new ShaderMaterial(POINT_SHADER))],
    });
    section.dataset.pointsReady = 'true';
  }

  const lines = cameraLines(scene.cameras, frame.radius / 25);
  app.on('update', () => {
    if (showCameras.checked && lines.length > 0) app.drawLines(lines, CAMERA_COLOUR, true);
  });

  // The layer toggles and the control mode.
  const toggle = (name: string) => section.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  const showSplats = toggle('splats');
  const showPoints = toggle('points');
  const showCameras = toggle('cameras');
  showSplats.disabled = !scene.splats;
  showPoints.disabled = !points;
  showCameras.disabled = scene.cameras.length === 0;
  // Splats when there are any; the points otherwise (they would hide behind the splats anyway).
  showSplats.checked = Boolean(scene.splats);
  showPoints.checked = !scene.splats;
  showCameras.checked = scene.cameras.length > 0;
  const applyLayers = () => {
    splatEntity.enabled = showSplats.checked;
    pointEntity.enabled = showPoints.checked;
    section.dataset.layers = [showSplats, showPoints, showCameras]
      .filter((i) => i.checked)
      .map((i) => i.name)
      .join(' ');
  };
  const mode = section.querySelector<HTMLSelectElement>('select[name="mode"]')!;
  const applyMode = () => {
    controls.enableOrbit = mode.value === 'orbit';
    controls.enableFly = mode.value === 'fly';
  };
  mode.value = 'orbit';
  const reset = section.querySelector<HTMLButtonElement>('button[name="reset"]')!;
  const onReset = () => controls.reset(frame.focus, frame.eye);
  for (const input of [showSplats, showPoints, showCameras]) input.addEventListener('change', applyLayers);
  mode.addEventListener('change', applyMode);
  reset.addEventListener('click', onReset);
  applyLayers();
  applyMode();

  return {
    destroy() {
      for (const input of [showSplats, showPoints, showCameras]) input.removeEventListener('change', applyLayers);
      mode.removeEventListener('change', applyMode);
      reset.removeEventListener('click', onReset);
      resize.disconnect();
      app.destroy();
      section.hidden = true;
    },
  };
}

/** The packed sparse points (float32 xyz × n, then rgb bytes × n) as the mesh takes them. */
async function loadPoints(href: string): Promise<{ positions: Float32Array; rgba: Uint8Array }> {
  const response = await fetch(href);
  if (!response.ok) throw new Error(`the sparse points could not be loaded (HTTP ${response.status})`);
  const body = await response.arrayBuffer();
  const count = body.byteLength / 15;
  const positions = new Float32Array(body, 0, count * 3);
  const rgb = new Uint8Array(body, count * 12, count * 3);
  const rgba = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    rgba[i * 4] = rgb[i * 3]!;
    rgba[i * 4 + 1] = rgb[i * 3 + 1]!;
    rgba[i * 4 + 2] = rgb[i * 3 + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  return { positions, rgba };
}

/**
 * Where to look from: the points' median (robust to the stray far points SfM leaves) as the
 * focus, the spread of their middle 90 % (or the farthest camera) as the scene's radius, and an
 * eye south of it and above at 45°, so the survey and its cameras are seen whole, obliquely.
 */
function framing(
  positions: Float32Array | undefined,
  cameras: Scene3d['cameras'],
): { focus: Vec3; eye: Vec3; radius: number } {
  const axes: number[][] = [[], [], []];
  if (positions && positions.length >= 3) {
    for (let i = 0; i < positions.length; i += 3) for (let c = 0; c < 3; c++) axes[c]!.push(positions[i + c]!);
  } else {
    for (const camera of cameras) for (let c = 0; c < 3; c++) axes[c]!.push(camera.position[c]!);
  }
  if (axes[0]!.length === 0) return { focus: new Vec3(), eye: new Vec3(0, 50, 100), radius: 50 };
  const quantile = (values: number[], q: number) => values[Math.floor(q * (values.length - 1))]!;
  const sorted = axes.map((a) => a.sort((x, y) => x - y));
  const centre = sorted.map((a) => quantile(a, 0.5));
  const spread = Math.hypot(...sorted.map((a) => quantile(a, 0.95) - quantile(a, 0.05)));
  // The cameras fly above the points: far enough back to see them too.
  const cameraReach = Math.max(0, ...cameras.map((c) => Math.hypot(...c.position.map((v, k) => v - centre[k]!))));
  const radius = Math.max(spread / 2, cameraReach, 1);
  const focus = world(centre);
  const elevation = (45 * Math.PI) / 180;
  const distance = radius * 2;
  const eye = world([
    centre[0]!,
    centre[1]! - distance * Math.cos(elevation),
    centre[2]! + distance * Math.sin(elevation),
  ]);
  return { focus, eye, radius };
}

/** Each camera as a small pyramid: its centre, and a square `size` ahead along its optical axis. */
function cameraLines(cameras: Scene3d['cameras'], size: number): Vec3[] {
  const lines: Vec3[] = [];
  for (const { position, forward } of cameras) {
    const apex = world(position);
    const axis = world(forward).normalize();
    const side = new Vec3().cross(axis, Math.abs(axis.y) > 0.9 ? Vec3.RIGHT : Vec3.UP).normalize();
    const up = new Vec3().cross(side, axis).normalize();
    const base = axis.clone().mulScalar(size).add(apex);
    const corners = [
      [1, 1],
      [1, -1],
      [-1, -1],
      [-1, 1],
    ].map(([s, u]) =>
      base
        .clone()
        .add(side.clone().mulScalar(s! * size * 0.6))
        .add(up.clone().mulScalar(u! * size * 0.4)),
    );
    corners.forEach((corner, k) => lines.push(apex, corner, corner, corners[(k + 1) % 4]!));
  }
  return lines;
}
