// Types of gen-conv-kernels.mjs (for its test).
export const CONV_ROWS: number[];
export function convKernel(rows: number): string;
export function convKernelFile(rows: number): string;
