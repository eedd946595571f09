/**
 * The GPU runtime: one device, its buffer pool, pipeline cache and a command recorder that batches many
 * dispatches into one compute pass and one submit. Work is submitted when `flush()` is called, when a
 * readback needs it, or when the batch grows past `maxDispatchesPerSubmit` (bounding pending memory).
 *
 * Opt-in profiling (`startProfiling()`, off by default): each dispatch then gets a compute pass of its own
 * whose beginning and end write GPU timestamps (the `timestamp-query` feature); they are resolved at each
 * submit and read back by `collectProfile()`, attributed to the kernel's name. Nothing changes when it is off.
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

/** One profiled dispatch: its kernel and its GPU time (end − beginning of its own compute pass). */
export interface KernelTiming {
  /** KernelSource.name, e.g. 'loss:pointwise' */
  name: string;
  /** the pipeline's cache key: the name plus its override constants */
  key: string;
  /** the dispatch's workgroup counts */
  workgroups: [number, number, number];
  ms: number;
  /** which submit (counted from startProfiling) it ran in */
  submit: number;
  /** its beginning, in ms after the first timestamp of that submit */
  startMs: number;
}

export interface ProfileCapture {
  dispatches: KernelTiming[];
  /** per submit that held profiled dispatches: the GPU span from the first beginning to the last end */
  submits: { index: number; dispatches: number; spanMs: number }[];
  /**
   * every raw timestamp was a multiple of 2^16 ns: Dawn's timestamp quantization is probably on (create the
   * Node runtime with the Dawn flag 'disable-dawn-features=timestamp_quantization' for exact values)
   */
  quantized: boolean;
}

interface ProfiledDispatch {
  k: CompiledKernel;
  wg: [number, number, number];
}

interface ProfilerState {
  querySet: GPUQuerySet;
  resolve: GPUBuffer;
  /** dispatches per submit the query set can hold (2 timestamps each) */
  capacity: number;
  /** the profiled dispatches recorded since the last submit, in query order */
  recorded: ProfiledDispatch[];
  submits: number;
  pending: { submit: number; kernels: ProfiledDispatch[]; times: Promise<BigUint64Array> }[];
}

/** WebGPU's maximum query count per query set */
const MAX_QUERIES = 4096;

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
  private prof: ProfilerState | null = null;
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
    const hasUniform = k.bindings[k.bindings.length - 1] === 'uniform';
    if (buffers.length !== k.bindings.length - (hasUniform ? 1 : 0)) {
      throw new Error(`kernel ${k.key}: got ${buffers.length} buffers for ${k.bindings.length} bindings`);
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
    if (this.prof) {
      this.profiledDispatch(this.encoder, this.prof, k, bindGroup, x, y, z);
      return;
    }
    this.pass ??= this.encoder.beginComputePass();
    this.pass.setPipeline(k.pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
    this.counters.dispatches++;
    if (this.dispatches >= this.maxDispatches) this.flush();
  }

  /** Profiling mode: the dispatch in a compute pass of its own, with timestamps at its beginning and end. */
  private profiledDispatch(enc: GPUCommandEncoder, p: ProfilerState, k: CompiledKernel, bg: GPUBindGroup, x: number, y: number, z: number): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    const i = p.recorded.length;
    const pass = enc.beginComputePass({
      timestampWrites: { querySet: p.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
    });
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
    p.recorded.push({ k, wg: [x, y, z] });
    this.dispatches++;
    this.counters.dispatches++;
    if (this.dispatches >= this.maxDispatches || p.recorded.length >= p.capacity) this.flush();
  }

  /** Whether profiling is on. */
  get profiling(): boolean {
    return this.prof !== null;
  }

  /**
   * Turn profiling on: from now on every dispatch runs in its own compute pass with GPU timestamps. Work
   * recorded before is submitted first (and not profiled). Needs the device feature 'timestamp-query'.
   */
  startProfiling(): void {
    this.checkAlive();
    if (this.prof) return;
    if (!this.hasFeature('timestamp-query')) {
      throw new Error(`profiling needs the 'timestamp-query' feature, which this device (${this.adapter.description}) lacks`);
    }
    this.flush();
    const capacity = Math.min(this.maxDispatches, MAX_QUERIES / 2);
    this.prof = {
      querySet: this.device.createQuerySet({ type: 'timestamp', count: 2 * capacity, label: 'profiler' }),
      resolve: this.device.createBuffer({ size: 16 * capacity, usage: 0x200 /* QUERY_RESOLVE */ | 0x04 /* COPY_SRC */, label: 'profiler-resolve' }),
      capacity,
      recorded: [],
      submits: 0,
      pending: [],
    };
  }

  /**
   * Submit what is recorded and return the timings of every profiled dispatch since `startProfiling()` or the
   * last `collectProfile()`, in submission order. Profiling stays on.
   */
  async collectProfile(): Promise<ProfileCapture> {
    const p = this.prof;
    if (!p) throw new Error('collectProfile(): profiling is off (call startProfiling() first)');
    this.flush();
    const pending = p.pending.splice(0);
    const out: ProfileCapture = { dispatches: [], submits: [], quantized: pending.length > 0 };
    for (const { submit, kernels, times } of pending) {
      const t = await times;
      const t0 = t[0];
      let last = t0;
      for (let i = 0; i < kernels.length; i++) {
        const b = t[2 * i];
        const e = t[2 * i + 1];
        if ((b & 0xffffn) !== 0n || (e & 0xffffn) !== 0n) out.quantized = false;
        if (e > last) last = e;
        const { k, wg } = kernels[i];
        out.dispatches.push({ name: k.source.name, key: k.key, workgroups: wg, ms: e >= b ? Number(e - b) / 1e6 : 0, submit, startMs: Number(b - t0) / 1e6 });
      }
      out.submits.push({ index: submit, dispatches: kernels.length, spanMs: Number(last - t0) / 1e6 });
    }
    this.checkAlive();
    return out;
  }

  /** Turn profiling off (timings not yet collected are dropped); dispatches share compute passes again. */
  stopProfiling(): void {
    const p = this.prof;
    if (!p) return;
    this.flush();
    this.prof = null;
    // destroy once the submitted resolves have been read (or failed)
    void Promise.allSettled(p.pending.map((x) => x.times)).then(() => {
      p.querySet.destroy();
      p.resolve.destroy();
    });
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
    const readTimes = this.prof && this.prof.recorded.length > 0 ? this.resolveTimestamps(this.encoder, this.prof) : null;
    this.device.queue.submit([this.encoder.finish()]);
    readTimes?.();
    this.encoder = null;
    this.pass = null;
    this.dispatches = 0;
    this.uniformUsed = 0;
    this.counters.submits++;
    this.pool.afterSubmit();
  }

  /** Profiling: resolve this batch's timestamps into a readable buffer; the returned function maps it after the submit. */
  private resolveTimestamps(enc: GPUCommandEncoder, p: ProfilerState): () => void {
    const n = p.recorded.length;
    const kernels = p.recorded;
    p.recorded = [];
    const read = this.device.createBuffer({ size: 16 * n, usage: 0x01 /* MAP_READ */ | 0x08 /* COPY_DST */, label: 'profiler-read' });
    enc.resolveQuerySet(p.querySet, 0, 2 * n, p.resolve, 0);
    enc.copyBufferToBuffer(p.resolve, 0, read, 0, 16 * n);
    const submit = p.submits++;
    return () => {
      const times = read.mapAsync(1 /* GPUMapMode.READ */).then(
        () => {
          const t = new BigUint64Array(read.getMappedRange().slice(0));
          read.destroy();
          return t;
        },
        (e: unknown) => {
          read.destroy();
          throw e;
        },
      );
      times.catch(() => {}); // surfaced by collectProfile(); never an unhandled rejection
      p.pending.push({ submit, kernels, times });
    };
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
    if (this.prof) {
      this.prof.querySet.destroy();
      this.prof.resolve.destroy();
      this.prof = null;
    }
    this.pool.destroyAll();
    this.uniformArena.destroy();
    this.device.destroy();
    this.onDestroy();
  }
}
