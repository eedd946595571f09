/** Node entry: the engine plus Dawn (the `webgpu` package). */
export * from './index.js';
export { initNode, shutdown } from "./engine-node.js";
