/**
 * Training batches: shuffled epochs over a fixed list of indices (normally DataSplit.train).
 *
 * Each epoch is a fresh random permutation of the list, cut into consecutive batches of `batchSize`. A batch
 * never spans two epochs: the last `length % batchSize` indices of each epoch's permutation are dropped
 * (like PyTorch's drop_last=True), so every batch is full and no image repeats within an epoch.
 *
 * Resumable: getState() records the generator state at the start of the current epoch plus the epoch and
 * position, not the permutation itself (which can be millions of entries); setState() regenerates the
 * permutation and continues exactly where the saved sampler was. Pure (no Node APIs).
 */
import { Rng } from '../util/rng.js';

interface SamplerStateV1 {
  v: 1;
  /** Rng state from which the current epoch's permutation is drawn. */
  epochRng: string;
  epoch: number;
  /** Next position within the current epoch's permutation. */
  pos: number;
  /** Sanity check on restore. */
  length: number;
  batchSize: number;
}

export class EpochSampler {
  private readonly rng: Rng;
  private readonly indices: Uint32Array;
  private order: Uint32Array;
  private epochRngState: string;
  private pos = 0;
  private epochCount = 0;

  /**
   * @param indices the indices to draw from (copied)
   * @param batchSize indices per batch; must be <= indices.length
   * @param rng drives the shuffles; the sampler takes it over (fork one for it: `rng.fork('sampler')`)
   */
  constructor(indices: ArrayLike<number>, readonly batchSize: number, rng: Rng) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`EpochSampler: batchSize must be a positive integer, got ${batchSize}`);
    if (indices.length < batchSize) {
      throw new RangeError(`EpochSampler: ${indices.length} indices are fewer than one batch of ${batchSize}`);
    }
    this.indices = Uint32Array.from(indices);
    this.rng = rng;
    this.epochRngState = rng.getState();
    this.order = this.shuffled();
  }

  /** Number of full batches per epoch. */
  get batchesPerEpoch(): number {
    return Math.floor(this.indices.length / this.batchSize);
  }

  /** Completed epochs so far (0 during the first). */
  get epoch(): number {
    return this.epochCount;
  }

  private shuffled(): Uint32Array {
    const perm = this.rng.permutation(this.indices.length);
    const order = new Uint32Array(perm.length);
    for (let i = 0; i < perm.length; i++) order[i] = this.indices[perm[i]!]!;
    return order;
  }

  /** The next batch of indices (a new array of length batchSize). */
  nextBatch(): Uint32Array {
    if (this.pos + this.batchSize > this.order.length) {
      this.epochCount++;
      this.epochRngState = this.rng.getState();
      this.order = this.shuffled();
      this.pos = 0;
    }
    const batch = this.order.slice(this.pos, this.pos + this.batchSize);
    this.pos += this.batchSize;
    return batch;
  }

  getState(): string {
    const st: SamplerStateV1 = {
      v: 1,
      epochRng: this.epochRngState,
      epoch: this.epochCount,
      pos: this.pos,
      length: this.indices.length,
      batchSize: this.batchSize,
    };
    return JSON.stringify(st);
  }

  /** Restore a state from getState() of a sampler built with the same indices and batch size. */
  setState(text: string): void {
    const st = JSON.parse(text) as SamplerStateV1;
    if (st?.v !== 1 || typeof st.epochRng !== 'string' || !Number.isInteger(st.pos) || !Number.isInteger(st.epoch)) {
      throw new Error('EpochSampler.setState: malformed state (expected the output of getState())');
    }
    if (st.length !== this.indices.length || st.batchSize !== this.batchSize) {
      throw new Error(
        `EpochSampler.setState: state is for ${st.length} indices in batches of ${st.batchSize}, this sampler has ${this.indices.length} in batches of ${this.batchSize}`,
      );
    }
    this.rng.setState(st.epochRng);
    this.epochRngState = st.epochRng;
    this.order = this.shuffled(); // advances rng to where the saved sampler's was
    this.epochCount = st.epoch;
    this.pos = st.pos;
  }
}
