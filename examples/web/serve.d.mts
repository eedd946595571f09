/** Types of serve.mjs, for the TypeScript tests that start the demo server. */
export function bundleDemo(): Promise<{ code: Uint8Array; inputs: string[] }>;
export function startDemoServer(options?: { port?: number; host?: string }): Promise<{ url: string; close(): Promise<void> }>;
