/**
 * Turning a `GPU` object (Dawn's in Node, `navigator.gpu` in browsers) into a Runtime: pick the adapter,
 * request the limits it really offers (the defaults are far lower) and the features our kernels can use.
 */
import { type AdapterSummary, Runtime, type RuntimeOptions } from './runtime.js';

export class NoAdapterError extends Error {}

/** Features our kernels use when present; none is required. */
const WANTED_FEATURES: GPUFeatureName[] = ['subgroups', 'shader-f16', 'timestamp-query'];

const LIMITS_TO_REQUEST = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const k of LIMITS_TO_REQUEST) limits[k] = Number(adapter.limits[k]);
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length);
  return {
    description: parts.join(' / ') || 'unknown adapter',
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    subgroupMinSize: (info as { subgroupMinSize?: number }).subgroupMinSize,
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

export async function runtimeFromGpu(
  gpu: GPU,
  noAdapterHelp: string,
  onDestroy: () => void,
  opts: RuntimeOptions & { powerPreference?: GPUPowerPreference } = {},
): Promise<Runtime> {
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    onDestroy();
    throw new NoAdapterError(`No WebGPU adapter is available. ${noAdapterHelp}`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const k of LIMITS_TO_REQUEST) requiredLimits[k] = Number(adapter.limits[k]);
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  return new Runtime(device, summarizeAdapter(adapter), onDestroy, opts);
}
