/** COLMAP's qvec (w, x, y, z) of a rotation matrix given by rows (Shepperd's method: stable for any trace). */
export function quaternion(r: number[][]): number[] {
  const m = (i: number, j: number) => r[i]![j]!;
  const trace = m(0, 0) + m(1, 1) + m(2, 2);
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    return [s / 4, (m(2, 1) - m(1, 2)) / s, (m(0, 2) - m(2, 0)) / s, (m(1, 0) - m(0, 1)) / s];
  }
  if (m(0, 0) > m(1, 1) && m(0, 0) > m(2, 2)) {
    const s = Math.sqrt(1 + m(0, 0) - m(1, 1) - m(2, 2)) * 2;
    return [(m(2, 1) - m(1, 2)) / s, s / 4, (m(0, 1) + m(1, 0)) / s, (m(0, 2) + m(2, 0)) / s];
  }
  if (m(1, 1) > m(2, 2)) {
    const s = Math.sqrt(1 + m(1, 1) - m(0, 0) - m(2, 2)) * 2;
    return [(m(0, 2) - m(2, 0)) / s, (m(0, 1) + m(1, 0)) / s, s / 4, (m(1, 2) + m(2, 1)) / s];
  }
  const s = Math.sqrt(1 + m(2, 2) - m(0, 0) - m(1, 1)) * 2;
  return [(m(1, 0) - m(0, 1)) / s, (m(0, 2) + m(2, 0)) / s, (m(1, 2) + m(2, 1)) / s, s / 4];
}

/** World-to-camera rotation of a camera looking down with its image top towards `heading`, tilted `tiltDeg` forward. */
export function nadirCamera(heading: number, tiltDeg = 0): number[] {
  const h = (heading * Math.PI) / 180;
  const t = (tiltDeg * Math.PI) / 180;
  const right = [Math.cos(h), -Math.sin(h), 0];
  const forward = [Math.sin(h), Math.cos(h), 0];
  // Optical axis: down, leaning towards `forward` by the tilt; image down = −(forward ⟂ axis).
  const axis = [forward[0]! * Math.sin(t), forward[1]! * Math.sin(t), -Math.cos(t)];
  const down = [-forward[0]! * Math.cos(t), -forward[1]! * Math.cos(t), -Math.sin(t)];
  return quaternion([right, down, axis]);
}
