/**
 * The two nearest neighbours, by Hamming distance, of every binary descriptor of one image among
 * another's: what OpenCV's `BFMatcher.knnMatch(k = 2)` answers, six times faster.
 *
 * Written by hand because OpenCV.js counts bits with a byte table (its WebAssembly build has no
 * popcount path), which took ~28 ms per pair of 1,000-keypoint images and half of registration's
 * matching time; nothing on npm matches binary descriptors natively. This is one small
 * WebAssembly function using `i64.popcnt`, assembled below from its text (kept in the comments).
 */

/** For each query descriptor: the nearest train descriptor's index and distance, and the second-nearest distance. */
export interface Neighbours {
  readonly index: Int32Array;
  readonly best: Int32Array;
  readonly second: Int32Array;
}

// The part of the WebAssembly global this file uses (this package's TypeScript libs do not declare it).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
};

/** Bytes per descriptor as the module reads them: whole 64-bit words. */
const word = 8;

export class HammingKnn {
  private readonly memory: WasmMemory;
  private readonly knn2: (a: number, na: number, b: number, nb: number, words: number, out: number) => void;

  constructor() {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE), {});
    this.memory = instance.exports.memory as WasmMemory;
    this.knn2 = instance.exports.knn2 as HammingKnn['knn2'];
  }

  /**
   * Neighbours of each of `queryCount` descriptors of `bytes` bytes in `query` among the
   * `trainCount` in `train` (rows back to back). With fewer than two train descriptors, `second`
   * is 2³¹ − 1.
   */
  search(query: Uint8Array, queryCount: number, train: Uint8Array, trainCount: number, bytes: number): Neighbours {
    const words = Math.ceil(bytes / word);
    const stride = words * word;
    const a = 0;
    const b = a + queryCount * stride;
    const out = b + trainCount * stride;
    const end = out + queryCount * 12;
    const pages = Math.ceil(end / 65536) - this.memory.buffer.byteLength / 65536;
    if (pages > 0) this.memory.grow(pages);
    const heap = new Uint8Array(this.memory.buffer);
    // Rows padded with zeros to whole words: the padding XORs to nothing.
    heap.fill(0, 0, out);
    for (let k = 0; k < queryCount; k++) heap.set(query.subarray(k * bytes, (k + 1) * bytes), a + k * stride);
    for (let k = 0; k < trainCount; k++) heap.set(train.subarray(k * bytes, (k + 1) * bytes), b + k * stride);
    this.knn2(a, queryCount, b, trainCount, words, out);
    const result = new Int32Array(this.memory.buffer, out, queryCount * 3);
    const index = new Int32Array(queryCount);
    const best = new Int32Array(queryCount);
    const second = new Int32Array(queryCount);
    for (let k = 0; k < queryCount; k++) {
      index[k] = result[k * 3]!;
      best[k] = result[k * 3 + 1]!;
      second[k] = result[k * 3 + 2]!;
    }
    return { index, best, second };
  }
}

// (module
//   (memory (export "memory") 1)
//   (func (export "knn2") (param $a i32) (param $na i32) (param $b i32) (param $nb i32)
//                         (param $words i32) (param $out i32)
//     (local $i i32) (local $j i32) (local $w i32) (local $qa i32) (local $tb i32)
//     (local $d i32) (local $best i32) (local $second i32) (local $index i32) (local $stride i32)
//     (local.set $stride (i32.shl (local.get $words) (i32.const 3)))
//     (block $done_i (loop $next_i
//       (br_if $done_i (i32.ge_u (local.get $i) (local.get $na)))
//       (local.set $qa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $stride))))
//       (local.set $best (i32.const 0x7fffffff)) (local.set $second (i32.const 0x7fffffff))
//       (local.set $index (i32.const -1)) (local.set $j (i32.const 0)) (local.set $tb (local.get $b))
//       (block $done_j (loop $next_j
//         (br_if $done_j (i32.ge_u (local.get $j) (local.get $nb)))
//         (local.set $d (i32.const 0)) (local.set $w (i32.const 0))
//         (block $done_w (loop $next_w
//           (br_if $done_w (i32.ge_u (local.get $w) (local.get $stride)))
//           (local.set $d (i32.add (local.get $d) (i32.wrap_i64 (i64.popcnt (i64.xor
//             (i64.load (i32.add (local.get $qa) (local.get $w)))
//             (i64.load (i32.add (local.get $tb) (local.get $w))))))))
//           (local.set $w (i32.add (local.get $w) (i32.const 8)))
//           (br $next_w)))
//         (if (i32.lt_u (local.get $d) (local.get $best))
//           (then (local.set $second (local.get $best)) (local.set $best (local.get $d))
//                 (local.set $index (local.get $j)))
//           (else (if (i32.lt_u (local.get $d) (local.get $second)) (then (local.set $second (local.get $d))))))
//         (local.set $tb (i32.add (local.get $tb) (local.get $stride)))
//         (local.set $j (i32.add (local.get $j) (i32.const 1)))
//         (br $next_j)))
//       (i32.store (local.get $out) (local.get $index))
//       (i32.store offset=4 (local.get $out) (local.get $best))
//       (i32.store offset=8 (local.get $out) (local.get $second))
//       (local.set $out (i32.add (local.get $out) (i32.const 12)))
//       (local.set $i (i32.add (local.get $i) (i32.const 1)))
//       (br $next_i))))
/** Opcodes used (WebAssembly 1.0 core). */
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Store: 0x36,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i64Popcnt: 0x7b,
  i64Xor: 0x85,
  i32WrapI64: 0xa7,
} as const;
/** The block type of a block, loop or if that leaves nothing on the stack. */
const empty = 0x40;
// knn2's parameters, then its locals, by index.
const [a, na, b, nb, words, out, i, j, w, qa, tb, d, best, second, index, stride] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
] as const;
const get = (l: number) => [op.localGet, l];
const set = (l: number) => [op.localSet, l];
const i32 = (v: number) => [op.i32Const, ...sleb(v)];
/** `local += step` */
const increment = (local: number, step: number | readonly number[]) => [
  ...get(local),
  ...(typeof step === 'number' ? i32(step) : step),
  op.i32Add,
  ...set(local),
];

// After the constants above, which assembling reads.
const MODULE = assemble();

/** The module: one memory and the function `knn2` (see its text above), both exported. */
function assemble(): Uint8Array {
  const body = knn2Body();
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    // type 0: (i32 × 6) → ()
    ...section(1, [1, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(3, [1, 0]),
    // memory 0: at least one page
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('knn2'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/** knn2: for each query descriptor `i`, over every train descriptor `j`, the nearest two. */
function knn2Body(): number[] {
  return [
    // one declaration: 10 locals of i32
    1,
    10,
    0x7f,
    ...get(words),
    ...i32(3),
    op.i32Shl,
    ...set(stride),
    ...countedLoop(i, na, [
      ...startQuery(),
      ...countedLoop(j, nb, [...distance(), ...keepNearestTwo(), ...increment(tb, get(stride)), ...increment(j, 1)]),
      ...storeNeighbours(),
      ...increment(i, 1),
    ]),
    op.end,
  ];
}

/** `while (counter < limit) { …body }`: the body steps the counter itself. */
function countedLoop(counter: number, limit: number, body: readonly number[]): number[] {
  return [
    op.block,
    empty,
    op.loop,
    empty,
    ...get(counter),
    ...get(limit),
    op.i32GeU,
    op.brIf,
    1,
    ...body,
    op.br,
    0,
    op.end,
    op.end,
  ];
}

/** Points `qa` at query row `i`, resets the two nearest, and starts `j`, `tb` at the first train row. */
function startQuery(): number[] {
  return [
    ...get(a),
    ...get(i),
    ...get(stride),
    op.i32Mul,
    op.i32Add,
    ...set(qa),
    ...i32(0x7fffffff),
    ...set(best),
    ...i32(0x7fffffff),
    ...set(second),
    ...i32(-1),
    ...set(index),
    ...i32(0),
    ...set(j),
    ...get(b),
    ...set(tb),
  ];
}

/** `d` = popcount of query row `qa` XOR train row `tb`, a 64-bit word at a time. */
function distance(): number[] {
  const load = (row: number) => [...get(row), ...get(w), op.i32Add, op.i64Load, 3, 0];
  return [
    ...i32(0),
    ...set(d),
    ...i32(0),
    ...set(w),
    ...countedLoop(w, stride, [
      ...get(d),
      ...load(qa),
      ...load(tb),
      op.i64Xor,
      op.i64Popcnt,
      op.i32WrapI64,
      op.i32Add,
      ...set(d),
      ...increment(w, 8),
    ]),
  ];
}

/** `if (d < best) { second = best; best = d; index = j } else if (d < second) second = d` */
function keepNearestTwo(): number[] {
  return [
    ...get(d),
    ...get(best),
    op.i32LtU,
    op.if,
    empty,
    ...get(best),
    ...set(second),
    ...get(d),
    ...set(best),
    ...get(j),
    ...set(index),
    op.else,
    ...get(d),
    ...get(second),
    op.i32LtU,
    op.if,
    empty,
    ...get(d),
    ...set(second),
    op.end,
    op.end,
  ];
}

/** Writes `index`, `best`, `second` at `out` and moves `out` past them. */
function storeNeighbours(): number[] {
  const store = (local: number, offset: number) => [...get(out), ...get(local), op.i32Store, 2, offset];
  return [...store(index, 0), ...store(best, 4), ...store(second, 8), ...increment(out, 12)];
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}
