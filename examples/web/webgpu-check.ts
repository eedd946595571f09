/**
 * Whether this browser can run the demo: navigator.gpu exists (a WebGPU browser, in a secure context) and
 * offers an adapter. Returns null when it can, else why not, so the page explains instead of going blank.
 */
export async function whyNoWebGpu(): Promise<string | null> {
  if (!window.isSecureContext) return 'This page is not in a secure context (WebGPU needs https:// or http://localhost / 127.0.0.1).';
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return 'This browser does not expose WebGPU (navigator.gpu is undefined).';
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${(e as Error).message}`;
  }
  if (!adapter) return 'The browser has WebGPU but offered no adapter (WebGPU may be disabled, or this GPU blocklisted).';
  return null;
}

/** The browsers and flags that work, as HTML. */
export const WORKING_BROWSERS = `
<ul>
  <li><b>Chrome or Edge 113+</b> on Windows, macOS and ChromeOS (Android: Chrome 121+).</li>
  <li><b>Chrome/Chromium on Linux</b>: start it with <code>--enable-unsafe-webgpu</code> (and
    <code>--enable-features=Vulkan</code> on some drivers); without a GPU it runs on SwiftShader, slowly.</li>
  <li><b>Safari 26</b> (macOS, iOS), where WebGPU is on by default; older Safari: Develop → Feature Flags → WebGPU.</li>
  <li><b>Firefox 141+</b> on Windows (other platforms: <code>dom.webgpu.enabled</code> in <code>about:config</code>, where supported).</li>
</ul>
<p>Open the page from <code>http://127.0.0.1</code>, <code>localhost</code> or <code>https://</code>: WebGPU needs a secure context.</p>`;
