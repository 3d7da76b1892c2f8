import sharp from 'sharp';

const M = Math;

/**
 * One page of a COG (or a shrunk copy of one) as RGBA rows, decoded by libvips in blocks of whole
 * COG tile rows. Readers move down the page: a block is decoded once, when first asked for (or
 * fetched ahead), and dropped once a read starts below it, so memory stays at the blocks one strip
 * of tiles spans, whatever the page's size.
 */
export class PageRows {
  private readonly blocks = new Map<number, Promise<Buffer>>();

  private constructor(
    private readonly cogPath: string,
    private readonly page: number,
    readonly width: number,
    readonly height: number,
    /** Size of the page itself (the rows' size unless it was shrunk). */
    readonly sourceWidth: number,
    readonly sourceHeight: number,
    /** Rows per block: the COG's own tile height, so that no COG tile is decoded twice. */
    private readonly blockRows: number,
    /** The whole (shrunk) page, when it is held as one block. */
    private readonly whole?: Buffer,
  ) {}

  /**
   * The rows of `page`; shrunk first to `size` when given and different from the page's (past the
   * last overview the level is a fraction of a COG tile row: it is shrunk once, whole).
   */
  static async open(
    cogPath: string,
    page: number,
    blockRows: number,
    size?: { readonly width: number; readonly height: number },
  ): Promise<PageRows> {
    const meta = await PageRows.pageSize(cogPath, page);
    if (!size || (meta.width === size.width && meta.height === size.height))
      return new PageRows(cogPath, page, meta.width, meta.height, meta.width, meta.height, blockRows);
    const whole = await sharp(cogPath, { page, limitInputPixels: false })
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .ensureAlpha()
      .raw()
      .toBuffer();
    return new PageRows(cogPath, page, size.width, size.height, meta.width, meta.height, size.height, whole);
  }

  /** Width and height of a page of the COG. */
  static async pageSize(cogPath: string, page: number): Promise<{ width: number; height: number }> {
    const { width, height } = await sharp(cogPath, { page, limitInputPixels: false }).metadata();
    return { width, height };
  }

  /** Rows `[y, y + h)` as one buffer (a view into a block, or a copy where the rows straddle blocks). */
  async rows(y: number, h: number): Promise<Buffer> {
    const rowBytes = this.width * 4;
    const B = this.blockRows;
    const first = M.floor(y / B);
    const last = M.floor((y + h - 1) / B);
    this.dropBefore(first);
    if (first === last) {
      const rows = await this.block(first);
      return rows.subarray((y - first * B) * rowBytes, (y + h - first * B) * rowBytes);
    }
    const out = Buffer.allocUnsafe(h * rowBytes);
    for (let b = first; b <= last; b++) {
      const rows = await this.block(b);
      const from = M.max(y, b * B);
      const to = M.min(y + h, (b + 1) * B);
      rows.copy(out, (from - y) * rowBytes, (from - b * B) * rowBytes, (to - b * B) * rowBytes);
    }
    return out;
  }

  /**
   * Rows `[y0, y1)` as one view each, without copying, a pixel per 32-bit word (R in the low byte
   * on the little-endian machines Node runs on): one load reads a pixel.
   */
  async rowPixels(y0: number, y1: number): Promise<Uint32Array[]> {
    const B = this.blockRows;
    this.dropBefore(M.floor(y0 / B));
    const views: Uint32Array[] = [];
    for (let b = M.floor(y0 / B); b * B < y1; b++) {
      const rows = await this.block(b);
      for (let y = M.max(y0, b * B); y < M.min(y1, (b + 1) * B); y++)
        views.push(new Uint32Array(rows.buffer, rows.byteOffset + (y - b * B) * this.width * 4, this.width));
    }
    return views;
  }

  /** Starts decoding the blocks of rows `[y0, y1)`, for a read that comes later. */
  fetchAhead(y0: number, y1: number): void {
    for (let b = M.floor(y0 / this.blockRows); b * this.blockRows < y1; b++) void this.block(b);
  }

  private dropBefore(first: number): void {
    for (const b of this.blocks.keys()) if (b < first) this.blocks.delete(b);
  }

  private block(b: number): Promise<Buffer> {
    let rows = this.blocks.get(b);
    if (!rows) {
      const B = this.blockRows;
      rows = (
        this.whole
          ? Promise.resolve(this.whole)
          : sharp(this.cogPath, { page: this.page, limitInputPixels: false })
              .extract({ left: 0, top: b * B, width: this.width, height: M.min(B, this.height - b * B) })
              .ensureAlpha()
              .raw()
              .toBuffer()
      )
        // Word views need 4-byte alignment: libvips' buffers have it, a copy gives it otherwise.
        .then((data) => (data.byteOffset % 4 ? Buffer.from(data) : data));
      // A block read ahead and then not used must not fail unobserved.
      rows.catch(() => undefined);
      this.blocks.set(b, rows);
    }
    return rows;
  }
}
