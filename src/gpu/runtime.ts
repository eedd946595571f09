/**
 * The GPU runtime: one device, its buffer pool, pipeline cache and a command recorder that batches many
 * dispatches into one compute pass and one submit. Work is submitted when `flush()` is called, when a
 * readback needs it, or when the batch grows past `maxDispatchesPerSubmit` (bounding pending memory).
 */
import { BufferPool, type PoolStats } from './buffer-pool.js';
import { type CompiledKernel, type KernelSource, PipelineCache } from './kernel.js';

export interface RuntimeOptions {
  /** submit automatically after this many dispatches (default 512) */
  maxDispatchesPerSubmit?: number;
}

export interface AdapterSummary {
  description: string;
  vendor: string;
  architecture: string;
  device: string;
  isFallbackAdapter: boolean;
  /** smallest subgroup size the adapter may use (undefined when not reported) */
  subgroupMinSize?: number;
  features: string[];
  limits: Record<string, number>;
}

const UNIFORM_ARENA_BYTES = 1 << 20;

export class Runtime {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly limits: GPUSupportedLimits;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private readonly maxDispatches: number;
  private uniformArena: GPUBuffer;
  private uniformStaging = new ArrayBuffer(UNIFORM_ARENA_BYTES);
  private uniformU32 = new Uint32Array(this.uniformStaging);
  private uniformI32 = new Int32Array(this.uniformStaging);
  private uniformF32 = new Float32Array(this.uniformStaging);
  private uniformUsed = 0;
  private readonly uniformAlign: number;
  private deviceError: Error | null = null;
  private destroyed = false;
  /** counters for benchmarks and tests */
  readonly counters = { dispatches: 0, submits: 0, uploads: 0, readbacks: 0 };
  /** kernel variant choices; the defaults pick the fastest variant the device supports */
  readonly tuning = { subgroupGemm: true };

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    private readonly onDestroy: () => void = () => {},
    opts: RuntimeOptions = {},
  ) {
    this.limits = device.limits;
    this.pool = new BufferPool(device, device.limits.maxBufferSize);
    this.pipelines = new PipelineCache(device);
    this.maxDispatches = opts.maxDispatchesPerSubmit ?? 512;
    this.uniformAlign = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
    this.uniformArena = device.createBuffer({
      size: UNIFORM_ARENA_BYTES,
      usage: 0x40 /* UNIFORM */ | 0x08 /* COPY_DST */,
      label: 'uniform-arena',
    });
    device.addEventListener?.('uncapturederror', (ev: Event) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      this.deviceError ??= new Error(`WebGPU error: ${err.message}`);
    });
    void device.lost.then((info) => {
      if (!this.destroyed) this.deviceError ??= new Error(`WebGPU device lost (${info.reason}): ${info.message}`);
    });
  }

  hasFeature(f: GPUFeatureName): boolean {
    return this.device.features.has(f);
  }

  kernel(src: KernelSource, overrides: Record<string, number> = {}): CompiledKernel {
    return this.pipelines.get(src, overrides);
  }

  /**
   * Record one dispatch. `buffers` are bound in binding order; the uniform struct (if the kernel has one) is
   * packed from `uniforms` by member name and bound last.
   */
  dispatch(
    k: CompiledKernel,
    buffers: readonly GPUBuffer[],
    uniforms: Record<string, number>,
    workgroups: readonly [number, number?, number?],
  ): void {
    this.checkAlive();
    const [x, y = 1, z = 1] = workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    const maxWg = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxWg || y > maxWg || z > maxWg) {
      throw new RangeError(`kernel ${k.key}: dispatch (${x},${y},${z}) exceeds maxComputeWorkgroupsPerDimension ${maxWg}`);
    }
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    const hasUniform = k.source.bindings[k.source.bindings.length - 1] === 'uniform';
    if (buffers.length !== k.source.bindings.length - (hasUniform ? 1 : 0)) {
      throw new Error(`kernel ${k.key}: got ${buffers.length} buffers for ${k.source.bindings.length} bindings`);
    }
    if (hasUniform) {
      if (this.uniformUsed + k.uniformSize > UNIFORM_ARENA_BYTES) this.flush();
      const offset = this.uniformUsed;
      this.packUniforms(k, uniforms, offset);
      this.uniformUsed = Math.ceil((offset + k.uniformSize) / this.uniformAlign) * this.uniformAlign;
      entries.push({ binding: buffers.length, resource: { buffer: this.uniformArena, offset, size: k.uniformSize } });
    }
    const bindGroup = this.device.createBindGroup({ layout: k.layout, entries });
    this.encoder ??= this.device.createCommandEncoder();
    this.pass ??= this.encoder.beginComputePass();
    this.pass.setPipeline(k.pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
    this.counters.dispatches++;
    if (this.dispatches >= this.maxDispatches) this.flush();
  }

  private packUniforms(k: CompiledKernel, values: Record<string, number>, offset: number): void {
    const given = new Set(Object.keys(values));
    for (const f of k.uniformFields) {
      const v = values[f.name];
      if (v === undefined || Number.isNaN(v)) throw new Error(`kernel ${k.key}: uniform '${f.name}' missing or NaN`);
      const i = (offset + f.offset) >> 2;
      if (f.type === 'f32') this.uniformF32[i] = v;
      else if (f.type === 'u32') {
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`kernel ${k.key}: uniform '${f.name}'=${v} is not a u32`);
        this.uniformU32[i] = v;
      } else {
        if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`kernel ${k.key}: uniform '${f.name}'=${v} is not an i32`);
        this.uniformI32[i] = v;
      }
      given.delete(f.name);
    }
    if (given.size) throw new Error(`kernel ${k.key}: unknown uniform(s) ${[...given].join(', ')}`);
  }

  /** Record a buffer-to-buffer copy (ends the current compute pass; the next dispatch starts a new one). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.checkAlive();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submit everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    if (this.pass) this.pass.end();
    if (this.uniformUsed > 0) {
      this.device.queue.writeBuffer(this.uniformArena, 0, this.uniformStaging, 0, this.uniformUsed);
    }
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pass = null;
    this.dispatches = 0;
    this.uniformUsed = 0;
    this.counters.submits++;
    this.pool.afterSubmit();
  }

  /**
   * Upload host data into a buffer. The write lands on the queue timeline now, i.e. before commands that are
   * recorded but not yet submitted. That is right for a buffer fresh from the pool (no unsubmitted command
   * can reference it); to overwrite a buffer that recorded work may still use, pass `inPlace`.
   */
  upload(dst: GPUBuffer, data: ArrayBufferView, dstOffset = 0, inPlace = false): void {
    this.checkAlive();
    if (inPlace) this.flush();
    this.device.queue.writeBuffer(dst, dstOffset, data.buffer, data.byteOffset, data.byteLength);
    this.counters.uploads++;
  }

  /** Copy `bytes` from a storage buffer back to the host. */
  async readBytes(src: GPUBuffer, bytes: number, srcOffset = 0): Promise<ArrayBuffer> {
    this.checkAlive();
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.device.createBuffer({ size: Math.max(size, 4), usage: 0x01 /* MAP_READ */ | 0x08 /* COPY_DST */ });
    this.copy(src, srcOffset, staging, 0, size);
    this.flush();
    this.counters.readbacks++;
    try {
      await Promise.all(this.pipelines.pendingValidation.splice(0));
      await staging.mapAsync(1 /* GPUMapMode.READ */);
      this.checkAlive();
      return staging.getMappedRange(0, size).slice(0, bytes);
    } finally {
      staging.destroy();
    }
  }

  /** Resolves when all submitted work has completed. */
  async sync(): Promise<void> {
    this.flush();
    await Promise.all(this.pipelines.pendingValidation.splice(0));
    await this.device.queue.onSubmittedWorkDone();
    this.checkAlive();
  }

  memory(): PoolStats {
    return this.pool.stats();
  }

  private checkAlive(): void {
    if (this.destroyed) throw new Error('the wngan GPU runtime has been destroyed');
    if (this.deviceError) {
      const e = this.deviceError;
      this.deviceError = null;
      throw e;
    }
  }

  /** Release every GPU resource and the device; the process may exit afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.encoder = null;
    this.pass = null;
    this.pool.destroyAll();
    this.uniformArena.destroy();
    this.device.destroy();
    this.onDestroy();
  }
}
