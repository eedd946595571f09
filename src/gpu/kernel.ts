/**
 * A kernel is one WGSL source plus the override constants that specialise it. Pipelines are cached by
 * (source name, overrides): shapes travel in the uniform struct, so a new shape never compiles a new pipeline.
 *
 * At pipeline creation the WGSL is reflected (wgsl_reflect): the entry point's group-0 bindings give the bind
 * group layout (storage read / read_write, uniform), so the kinds are stated once, in the WGSL. Bindings
 * that the runtime cannot bind (gaps, non-buffers, a uniform that is not last) fail loudly there instead of
 * as a Dawn validation error later. The uniform struct's member layout is taken from the reflection too, so
 * uniforms are passed by name.
 */
import { ResourceType, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';

export type BindingKind = 'read' | 'read_write' | 'uniform';

export interface KernelSource {
  /** unique name, used in cache keys and error messages (usually file:entry) */
  name: string;
  code: string;
  /** the compute entry point (default 'main') */
  entry?: string;
  /** WGSL features the code needs (e.g. 'subgroups'); the runtime checks the device has them */
  features?: readonly GPUFeatureName[];
}

export interface UniformField {
  name: string;
  offset: number;
  type: 'u32' | 'i32' | 'f32';
}

export interface CompiledKernel {
  key: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** binding kinds in binding-index order, from the WGSL; a uniform is the last one */
  bindings: readonly BindingKind[];
  uniformFields: UniformField[];
  uniformSize: number;
  source: KernelSource;
}

export class KernelError extends Error {}

interface Reflection {
  bindings: BindingKind[];
  uniformFields: UniformField[];
  uniformSize: number;
  overrides: Set<string>;
}

function reflect(src: KernelSource): Reflection {
  let r: WgslReflect;
  try {
    r = new WgslReflect(src.code);
  } catch (e) {
    throw new KernelError(`kernel ${src.name}: WGSL could not be parsed for reflection: ${(e as Error).message}`);
  }
  const entryName = src.entry ?? 'main';
  const entry = r.entry.compute.find((f) => f.name === entryName);
  if (!entry) throw new KernelError(`kernel ${src.name}: the WGSL has no compute entry point '${entryName}'`);
  const found = new Map<number, BindingKind>();
  let uniformFields: UniformField[] = [];
  let uniformSize = 0;
  for (const v of entry.resources) {
    if (v.group !== 0) throw new KernelError(`kernel ${src.name}: binding ${v.name} uses group ${v.group}; only group 0 is supported`);
    if (v.resourceType === ResourceType.Storage) {
      if (v.access !== 'read' && v.access !== 'read_write') {
        throw new KernelError(`kernel ${src.name}: storage binding ${v.name} has access '${v.access}'; only read and read_write are supported`);
      }
      found.set(v.binding, v.access);
      continue;
    }
    if (v.resourceType !== ResourceType.Uniform) {
      const kind = ResourceType[v.resourceType] ?? String(v.resourceType);
      throw new KernelError(`kernel ${src.name}: binding ${v.binding} (${v.name}) is a ${kind}; only storage and uniform buffers are supported`);
    }
    const u = v;
    found.set(u.binding, 'uniform');
    uniformFields = (u.members ?? []).map((m) => {
      const t = m.type.name;
      if (t !== 'u32' && t !== 'i32' && t !== 'f32') {
        throw new KernelError(`kernel ${src.name}: uniform member ${m.name} has type ${t}; only scalar u32/i32/f32 are supported`);
      }
      return { name: m.name, offset: m.offset, type: t };
    });
    uniformSize = Math.ceil(u.size / 16) * 16;
  }
  // dispatch() binds buffers by position and the uniform after them: 0..n-1 without gaps, the uniform last
  const bindings = [...Array(found.size).keys()].map((i) => found.get(i));
  const gap = bindings.indexOf(undefined);
  if (gap >= 0) {
    const used = [...found.keys()].sort((a, b) => a - b).join(', ');
    throw new KernelError(`kernel ${src.name}: bindings must be numbered 0..${found.size - 1} without gaps; binding ${gap} is missing (used: ${used})`);
  }
  const kinds = bindings as BindingKind[];
  const uni = kinds.indexOf('uniform');
  if (uni >= 0 && uni !== kinds.length - 1) {
    throw new KernelError(`kernel ${src.name}: the uniform must be the last binding, but it is binding ${uni} of 0..${kinds.length - 1}`);
  }
  return { bindings: kinds, uniformFields, uniformSize, overrides: new Set(r.overrides.map((o) => o.name)) };
}

export class PipelineCache {
  private cache = new Map<string, CompiledKernel>();
  private reflections = new Map<string, Reflection>();
  private modules = new Map<string, GPUShaderModule>();
  /** validation results of pipeline creation, awaited before the next readback */
  readonly pendingValidation: Promise<void>[] = [];

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.cache.size;
  }

  /** cache keys ("source name|overrides") of every pipeline created so far */
  keys(): string[] {
    return [...this.cache.keys()];
  }

  get(src: KernelSource, overrides: Record<string, number> = {}): CompiledKernel {
    const key = `${src.name}|${Object.entries(overrides)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`;
    const hit = this.cache.get(key);
    if (hit) return hit;

    let refl = this.reflections.get(src.name);
    if (!refl) {
      refl = reflect(src);
      this.reflections.set(src.name, refl);
    }
    const entryPoint = src.entry ?? 'main';
    for (const name of Object.keys(overrides)) {
      if (!refl.overrides.has(name)) throw new KernelError(`kernel ${src.name}: override '${name}' is not declared in the WGSL`);
    }
    for (const f of src.features ?? []) {
      if (!this.device.features.has(f)) throw new KernelError(`kernel ${src.name} needs the '${f}' feature, which this device lacks`);
    }
    const entries: GPUBindGroupLayoutEntry[] = refl.bindings.map((kind, binding) => ({
      binding,
      visibility: 4 /* GPUShaderStage.COMPUTE */,
      buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'read' ? 'read-only-storage' : 'storage' },
    }));
    const device = this.device;
    device.pushErrorScope('validation');
    const layout = device.createBindGroupLayout({ entries, label: src.name });
    let module = this.modules.get(src.code);
    if (!module) {
      module = device.createShaderModule({ code: src.code, label: src.name });
      this.modules.set(src.code, module);
    }
    const pipeline = device.createComputePipeline({
      label: key,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint, constants: overrides },
    });
    this.pendingValidation.push(
      device.popErrorScope().then(async (err) => {
        if (!err) return;
        const info = await module!.getCompilationInfo();
        const msgs = info.messages.map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
        throw new KernelError(`kernel ${key} failed to compile: ${err.message}\n${msgs}`);
      }),
    );
    const compiled: CompiledKernel = {
      key,
      pipeline,
      layout,
      bindings: refl.bindings,
      uniformFields: refl.uniformFields,
      uniformSize: refl.uniformSize,
      source: src,
    };
    this.cache.set(key, compiled);
    return compiled;
  }
}
