/**
 * Moving model and optimiser state between the GPU and safetensors. Names are PyTorch state_dict names
 * with a prefix per module ("G.main.0.weight", "D.main.3.running_mean") and per optimiser state
 * ("optim.G.main.0.weight.square_avg"); BatchNorm's num_batches_tracked is stored as int64 like PyTorch.
 * Loading checks names, shapes and dtypes against the model first and reports every mismatch at once.
 */
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkTensorsAgainst, type SafeDType, type SafeTensor } from '../io/safetensors-codec.js';

export interface StateOwners {
  modules: Record<string, Module>;
  optimizers?: Record<string, Optimizer>;
}

interface Slot {
  shape: number[];
  dtype: SafeDType;
  read(): Promise<SafeTensor>;
  write(t: SafeTensor): void;
}

function tensorSlot(t: Tensor): Slot {
  return {
    shape: [...t.shape],
    dtype: 'F32',
    read: async () => ({ dtype: 'F32', shape: [...t.shape], data: await t.read() }),
    write: (s) => t.write(s.data instanceof Float32Array ? s.data : Float32Array.from(s.data as Float64Array)),
  };
}

/** A module's names get `prefix.`; the prefix '' leaves them bare (a plain PyTorch state_dict of one module). */
export const joinName = (prefix: string, n: string) => (prefix ? `${prefix}.${n}` : n);

function slots(o: StateOwners, withOptim: boolean): Map<string, Slot> {
  const out = new Map<string, Slot>();
  for (const [prefix, m] of Object.entries(o.modules)) {
    for (const [n, t] of m.stateDict()) out.set(joinName(prefix, n), tensorSlot(t));
    for (const [n, owner, key] of m.namedCounters()) {
      out.set(joinName(prefix, n), {
        shape: [],
        dtype: 'I64',
        read: async () => ({ dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(owner.counters.get(key)!)) }),
        write: (s) => owner.counters.set(key, Number((s.data as BigInt64Array)[0])),
      });
    }
  }
  if (withOptim) {
    for (const [prefix, opt] of Object.entries(o.optimizers ?? {})) {
      for (const [n, t] of opt.namedState()) out.set(`optim.${prefix}.${n}`, tensorSlot(t));
    }
  }
  return out;
}

/** Read every tensor to the host, ready for encodeSafetensors. */
export async function collectState(o: StateOwners): Promise<Record<string, SafeTensor>> {
  const out: Record<string, SafeTensor> = {};
  for (const [name, s] of slots(o, true)) out[name] = await s.read();
  return out;
}

/**
 * Load tensors into the owners. `strict`: the file must hold exactly the expected names; otherwise only
 * the modules' names are required (e.g. loading bare weights without optimiser state).
 */
export function applyState(o: StateOwners, tensors: Record<string, SafeTensor>, source: string, strict = true): void {
  const want = slots(o, strict);
  const expected: Record<string, { shape: number[]; dtype: SafeDType }> = {};
  for (const [n, s] of want) expected[n] = { shape: s.shape, dtype: s.dtype };
  const actual: Record<string, { shape: number[]; dtype: SafeDType }> = {};
  for (const [n, t] of Object.entries(tensors)) {
    if (strict || want.has(n)) actual[n] = { shape: t.shape, dtype: t.dtype };
  }
  checkTensorsAgainst(expected, actual, source);
  for (const [n, s] of want) s.write(tensors[n]);
}
