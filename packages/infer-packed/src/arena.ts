// One block of memory for everything a packed network works in (weights, every stage's buffers),
// allocated once at compile time: a WebAssembly memory, so the SIMD kernels and the JavaScript
// stages read and write the same arrays with no copies. It never grows (growing would detach the
// views), so its size is an upper bound computed before anything is allocated.
export class Arena {
  readonly memory: WebAssembly.Memory | undefined;
  private readonly buffer: ArrayBuffer;
  private offset = 0;

  constructor(bytes: number) {
    const pages = Math.max(1, Math.ceil(bytes / 65536));
    if (typeof WebAssembly !== 'undefined') {
      this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      this.buffer = this.memory.buffer;
    } else {
      this.buffer = new ArrayBuffer(pages * 65536);
    }
  }

  private take(bytes: number): number {
    const at = this.offset;
    // 16-byte alignment: whole SIMD vectors.
    this.offset += Math.ceil(bytes / 16) * 16;
    if (this.offset > this.buffer.byteLength) throw new Error(`packed inference: the working memory estimate (${this.buffer.byteLength} bytes) was too small; please report this network`);
    return at;
  }

  floats(n: number): Float32Array {
    return new Float32Array(this.buffer, this.take(4 * n), n);
  }

  words(n: number): Uint32Array {
    return new Uint32Array(this.buffer, this.take(4 * n), n);
  }

  /** float64 values (the batch norm's divisor and offset, which tfjs's wasm batch norm uses in float64). */
  copyDoubles(values: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.buffer, this.take(8 * values.length), values.length);
    out.set(values);
    return out;
  }

  copy(values: ArrayLike<number>): Float32Array {
    const out = this.floats(values.length);
    out.set(values);
    return out;
  }

  get used(): number {
    return this.offset;
  }
}
