/** Node entry: the engine plus Dawn (the `webgpu` package). */
export * from './index.js';
export { initNode, shutdown } from "./engine-node.js";
export { openDataset, type DatasetSpec, type DatasetKind } from './data/open.js';
export { writeImageGrid } from './util/png-grid.js';
