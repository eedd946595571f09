/**
 * load_state_dict for plain safetensors files (e.g. a PyTorch state_dict saved with safetensors): names,
 * shapes and dtypes are checked as for checkpoints, and BatchNorm buffers missing from the file
 * (running_mean, running_var, num_batches_tracked) get PyTorch's initial values, listed in `defaulted`.
 */
import { Module } from '../nn/module.js';
import { BatchNorm } from '../nn/layers.js';
import type { Optimizer } from '../optim/optimizer.js';
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from '../io/safetensors-codec.js';
import { applyState, collectState, joinName, type StateOwners } from '../train/state.js';
import { bytesOf } from './bytes.js';

export type StateDict = Record<string, SafeTensor>;

export interface LoadStateDictOptions {
  /** every name in the file must belong to the model (default true); false ignores unexpected names */
  strict?: boolean;
  /** names the source in errors (default 'state_dict') */
  source?: string;
}

export interface LoadStateDictResult {
  /** BatchNorm buffers that the file lacked and that were set to their initial values */
  defaulted: string[];
}

/** Decode safetensors bytes (a Node Buffer, Uint8Array or ArrayBuffer) to a state dict. */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, source = 'safetensors'): StateDict {
  return decodeSafetensors(bytesOf(bytes, source), source).tensors;
}

/** Encode a state dict (and optional string metadata) as safetensors bytes. */
export function saveSafetensors(state: StateDict, metadata?: Record<string, string>): Uint8Array {
  return encodeSafetensors(state, metadata);
}

/** `module.state_dict()`: every parameter, buffer and counter read back to the host, PyTorch names. */
export function stateDict(target: Module | Record<string, Module>): Promise<StateDict> {
  return collectState({ modules: target instanceof Module ? { '': target } : target });
}

const BN_DEFAULTS: [string, (c: number) => SafeTensor][] = [
  ['running_mean', (c) => ({ dtype: 'F32', shape: [c], data: new Float32Array(c) })],
  ['running_var', (c) => ({ dtype: 'F32', shape: [c], data: new Float32Array(c).fill(1) })],
  ['num_batches_tracked', () => ({ dtype: 'I64', shape: [], data: new BigInt64Array(1) })],
];

/** Load into owners (modules by prefix, '' for bare names; optimisers optional). */
export function loadStateInto(
  owners: StateOwners,
  src: StateDict | Uint8Array | ArrayBuffer,
  o: LoadStateDictOptions = {},
): LoadStateDictResult {
  const source = o.source ?? 'state_dict';
  const given = src instanceof Uint8Array || src instanceof ArrayBuffer ? loadSafetensors(src, source) : src;
  const tensors: StateDict = { ...given };
  const defaulted: string[] = [];
  for (const [prefix, m] of Object.entries(owners.modules)) {
    for (const [name, owner, key] of m.namedCounters()) {
      if (!(owner instanceof BatchNorm) || key !== 'num_batches_tracked') continue;
      const base = name.slice(0, -key.length);
      for (const [suffix, make] of BN_DEFAULTS) {
        const full = joinName(prefix, base + suffix);
        if (Object.hasOwn(tensors, full)) continue;
        tensors[full] = make(owner.channels);
        defaulted.push(full);
      }
    }
  }
  applyState(owners, tensors, source, o.strict ?? true);
  return { defaulted };
}

/**
 * `module.load_state_dict(...)`: a module's bare names ("main.0.weight"), or several modules by prefix
 * ({ G, D } for "G.main.0.weight", ...), optionally with optimisers ("optim.G.<param>.square_avg").
 */
export function loadStateDict(
  target: Module | Record<string, Module>,
  src: StateDict | Uint8Array | ArrayBuffer,
  o: LoadStateDictOptions & { optimizers?: Record<string, Optimizer> } = {},
): LoadStateDictResult {
  const modules = target instanceof Module ? { '': target } : target;
  return loadStateInto({ modules, optimizers: o.optimizers }, src, o);
}
