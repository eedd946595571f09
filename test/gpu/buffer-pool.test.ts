/** The buffer pool's reuse rule, on a stand-in device: a released buffer waits for the next submit. */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/gpu/buffer-pool.js';

function fakeDevice() {
  let made = 0;
  const device = {
    createBuffer: ({ size }: { size: number }) => ({ size, id: made++, destroyed: false, destroy() { this.destroyed = true; } }),
  };
  return { device: device as unknown as GPUDevice, made: () => made };
}

describe('BufferPool', () => {
  it('does not hand out a released buffer before the next submit, and reuses it after', () => {
    const { device, made } = fakeDevice();
    const pool = new BufferPool(device, 1 << 30);
    const a = pool.acquire(1000);
    pool.release(a);
    expect(pool.stats()).toMatchObject({ pendingBytes: 1024, freeBytes: 0, liveBuffers: 0 });
    // still possibly referenced by commands not yet submitted: a new buffer
    const b = pool.acquire(1000);
    expect(b).not.toBe(a);
    expect(made()).toBe(2);
    pool.afterSubmit();
    expect(pool.stats()).toMatchObject({ pendingBytes: 0, freeBytes: 1024 });
    expect(pool.acquire(900)).toBe(a); // same bucket
    expect(made()).toBe(2);
    pool.release(b);
    expect(() => pool.release(b)).toThrow(/not live/);
  });

  it('trims only free buffers and destroys everything at the end', () => {
    const { device } = fakeDevice();
    const pool = new BufferPool(device, 1 << 20);
    const live = pool.acquire(64) as unknown as { destroyed: boolean };
    const gone = pool.acquire(64);
    pool.release(gone);
    pool.trim(); // pending, not free yet: kept
    expect((gone as unknown as { destroyed: boolean }).destroyed).toBe(false);
    pool.afterSubmit();
    pool.trim();
    expect((gone as unknown as { destroyed: boolean }).destroyed).toBe(true);
    expect(live.destroyed).toBe(false);
    expect(() => pool.acquire(2 << 20)).toThrow(/maxBufferSize/);
    pool.destroyAll();
    expect(live.destroyed).toBe(true);
  });
});
