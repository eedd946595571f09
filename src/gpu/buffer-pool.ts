/**
 * Pooled GPU storage buffers.
 *
 * Buffers are grouped in size buckets and reused. A released buffer is not handed out again until the
 * command buffer that may still reference it has been *submitted*: the WebGPU queue executes in order, so any
 * later use (a dispatch in a later submit, or a queue.writeBuffer upload) is ordered after every earlier
 * read or write of the buffer. Reusing it before that submit would let an upload (which runs on the queue
 * timeline ahead of the not-yet-submitted commands) overwrite data those commands still need.
 */
export const STORAGE_USAGE = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08 /* COPY_DST */;

export interface PoolStats {
  /** bytes in buffers currently handed out (owned by live tensors or in-flight work) */
  liveBytes: number;
  liveBuffers: number;
  /** bytes in released buffers waiting for the next submit */
  pendingBytes: number;
  /** bytes in buffers ready for reuse */
  freeBytes: number;
  /** every byte this pool has allocated and not destroyed */
  allocatedBytes: number;
}

/** Round a request up to its bucket size: powers of two below 1 MiB, then steps of 1/8 of the power of two. */
export function bucketSize(bytes: number): number {
  const b = Math.max(256, Math.ceil(bytes / 16) * 16);
  const pow = 2 ** Math.ceil(Math.log2(b));
  if (pow <= 1 << 20) return pow;
  const step = pow / 8;
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  private live = new Set<GPUBuffer>();
  private stats_: PoolStats = { liveBytes: 0, liveBuffers: 0, pendingBytes: 0, freeBytes: 0, allocatedBytes: 0 };

  constructor(private readonly device: GPUDevice, private readonly maxBufferSize: number) {}

  acquire(bytes: number, label?: string): GPUBuffer {
    const size = bucketSize(bytes);
    if (size > this.maxBufferSize) {
      throw new RangeError(`buffer of ${bytes} bytes exceeds this adapter's maxBufferSize (${this.maxBufferSize})`);
    }
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.stats_.freeBytes -= size;
    } else {
      buf = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
      this.stats_.allocatedBytes += size;
    }
    this.live.add(buf);
    this.stats_.liveBytes += size;
    this.stats_.liveBuffers++;
    return buf;
  }

  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) throw new Error('BufferPool.release: buffer is not live (released twice?)');
    this.stats_.liveBytes -= buf.size;
    this.stats_.liveBuffers--;
    this.pending.push(buf);
    this.stats_.pendingBytes += buf.size;
  }

  /** Called right after a queue submit: everything released before it may be reused. */
  afterSubmit(): void {
    for (const buf of this.pending) {
      const list = this.free.get(buf.size);
      if (list) list.push(buf);
      else this.free.set(buf.size, [buf]);
      this.stats_.freeBytes += buf.size;
    }
    this.pending.length = 0;
    this.stats_.pendingBytes = 0;
  }

  /** Destroy every buffer that is free for reuse (e.g. after a phase with a different working set). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buf of list) {
        this.stats_.allocatedBytes -= buf.size;
        buf.destroy();
      }
    }
    this.free.clear();
    this.stats_.freeBytes = 0;
  }

  stats(): PoolStats {
    return { ...this.stats_ };
  }

  destroyAll(): void {
    this.afterSubmit();
    this.trim();
    for (const buf of this.live) buf.destroy();
    this.live.clear();
  }
}
