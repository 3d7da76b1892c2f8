// PlayCanvas ships its camera controls as an ES module script without types (playcanvas/scripts).
declare module 'playcanvas/scripts/esm/camera-controls.mjs' {
  import { Script, type Vec3 } from 'playcanvas';

  /** Orbit (drag, wheel) and fly (WASD/QE, drag to look) controls for a camera entity. */
  export class CameraControls extends Script {
    static scriptName: string;
    enableOrbit: boolean;
    enableFly: boolean;
    moveSpeed: number;
    moveFastSpeed: number;
    moveSlowSpeed: number;
    reset(focus: Vec3, position: Vec3): void;
  }
}
