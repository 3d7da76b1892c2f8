/** The part of OpenCV.js this package uses; every Mat and vector must be `.delete()`d. */
export interface CvMat {
  readonly rows: number;
  readonly cols: number;
  readonly data32F: Float32Array;
  readonly data64F: Float64Array;
  readonly data: Uint8Array;
  delete(): void;
}
export interface CvKeyPoint {
  readonly pt: { x: number; y: number };
  readonly response: number;
}
export interface CvVector<T> {
  size(): number;
  get(i: number): T;
  delete(): void;
}
export interface OpenCv {
  readonly CV_8UC1: number;
  readonly CV_32FC2: number;
  readonly RANSAC: number;
  Mat: new () => CvMat;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): CvMat;
  KeyPointVector: new () => CvVector<CvKeyPoint>;
  AKAZE: new () => {
    setThreshold(t: number): void;
    detectAndCompute(image: CvMat, mask: CvMat, keypoints: CvVector<CvKeyPoint>, descriptors: CvMat): void;
    delete(): void;
  };
  estimateAffine2D(
    from: CvMat,
    to: CvMat,
    inliers: CvMat,
    method: number,
    ransacReprojThreshold: number,
    maxIters: number,
    confidence: number,
    refineIters: number,
  ): CvMat;
  findHomography(from: CvMat, to: CvMat, method: number, ransacReprojThreshold: number, mask: CvMat): CvMat;
  exceptionFromPtr(ptr: number): { msg: string };
}

let loading: Promise<OpenCv> | undefined;

/**
 * OpenCV compiled to WebAssembly (one module per process, loaded once). The module object is a
 * thenable that resolves to itself, so `await`ing it never settles: wait for
 * `onRuntimeInitialized` instead and remove `then`.
 */
export function loadOpenCv(): Promise<OpenCv> {
  loading ??= new Promise<OpenCv>((resolve, reject) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package is a UMD script, loaded lazily
    const cv = require('@techstark/opencv-js') as OpenCv & { onRuntimeInitialized?: () => void; then?: unknown };
    const done = () => {
      delete cv.then;
      resolve(cv);
    };
    if (typeof cv.Mat === 'function' && typeof cv.AKAZE === 'function') done();
    else cv.onRuntimeInitialized = done;
    setTimeout(() => reject(new Error('OpenCV.js did not initialise within 60 s')), 60_000).unref();
  });
  return loading;
}

/** OpenCV's C++ exceptions reach JavaScript as pointers; this turns one into an Error. */
export function cvError(cv: OpenCv, e: unknown): Error {
  if (typeof e === 'number') return new Error(`OpenCV: ${cv.exceptionFromPtr(e).msg}`);
  return e instanceof Error ? e : new Error(String(e));
}
