/**
 * Tensors: a shape over a pooled GPU buffer (f32, contiguous, row-major). Views (reshape) share the
 * buffer through a reference-counted Storage, which goes back to the pool when its last tensor is disposed.
 *
 * Lifetime is explicit and deterministic: `dispose()`, or create tensors inside `tidy()` (scope.ts), which
 * disposes everything made inside it except what it returns or what was `keep()`-ed.
 */
import type { Runtime } from '../gpu/runtime.js';
import { currentRuntime, trackTensor } from './engine.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${what} [${shape.join(',')}] has an invalid dimension ${d}`);
  }
}

export class Storage {
  refs = 1;
  constructor(readonly rt: Runtime, readonly buffer: GPUBuffer, readonly bytes: number) {}
  retain(): void {
    this.refs++;
  }
  release(): void {
    if (--this.refs === 0) this.rt.pool.release(this.buffer);
  }
}

let nextId = 1;

export class Tensor {
  readonly id = nextId++;
  readonly size: number;
  /** set for tensors whose gradient backward() should compute */
  requiresGrad = false;
  /** accumulated gradient of a leaf tensor (parameters, inputs marked requiresGrad) */
  grad: Tensor | null = null;
  /** true while owned by something long-lived (a parameter, optimiser state): tidy() leaves it alone */
  kept = false;
  private disposed_ = false;

  constructor(readonly shape: Shape, readonly storage: Storage, public name = '') {
    checkShape(shape);
    this.size = sizeOf(shape);
    trackTensor(this);
  }

  get rt(): Runtime {
    return this.storage.rt;
  }

  get buffer(): GPUBuffer {
    if (this.disposed_) throw new Error(`tensor ${this.describe()} was used after it was disposed`);
    return this.storage.buffer;
  }

  get isDisposed(): boolean {
    return this.disposed_;
  }

  get rank(): number {
    return this.shape.length;
  }

  describe(): string {
    return `${this.name || '#' + this.id}[${this.shape.join(',')}]`;
  }

  /** Copy the values to the host. */
  async read(): Promise<Float32Array> {
    const bytes = await this.rt.readBytes(this.buffer, this.size * 4);
    return new Float32Array(bytes);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a one-element tensor, got ${this.describe()}`);
    return (await this.read())[0];
  }

  /** Overwrite the values in place (e.g. loading weights); recorded work that reads them is submitted first. */
  write(data: Float32Array): void {
    if (data.length !== this.size) {
      throw new RangeError(`write: ${data.length} values for tensor ${this.describe()} of ${this.size}`);
    }
    this.rt.upload(this.buffer, data, 0, true);
  }

  dispose(): void {
    if (this.disposed_) return;
    this.disposed_ = true;
    this.storage.release();
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }
}

/** A new tensor with an uninitialised pooled buffer. */
export function empty(shape: Shape, name = '', rt: Runtime = currentRuntime()): Tensor {
  checkShape(shape);
  const bytes = Math.max(4, sizeOf(shape) * 4);
  const buffer = rt.pool.acquire(bytes, name || undefined);
  return new Tensor(shape, new Storage(rt, buffer, bytes), name);
}

/** A tensor holding `data` (row-major). */
export function tensor(data: ArrayLike<number>, shape: Shape = [data.length], name = '', rt: Runtime = currentRuntime()): Tensor {
  checkShape(shape);
  if (data.length !== sizeOf(shape)) {
    throw new RangeError(`tensor: ${data.length} values do not fill shape [${shape.join(',')}] (${sizeOf(shape)})`);
  }
  const t = empty(shape, name, rt);
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  if (f32.length) rt.upload(t.storage.buffer, f32);
  return t;
}

/** A view with another shape over the same values (no copy). */
export function reshapeView(t: Tensor, shape: Shape): Tensor {
  checkShape(shape);
  if (sizeOf(shape) !== t.size) {
    throw new RangeError(`reshape: cannot view ${t.describe()} as [${shape.join(',')}]`);
  }
  void t.buffer; // throws if disposed
  t.storage.retain();
  return new Tensor(shape, t.storage, t.name);
}
