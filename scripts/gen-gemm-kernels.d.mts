// Types of gen-gemm-kernels.mjs (for its test).
export function subgroupKernel(opts?: { ROWS?: number; WG?: number }): string;
export function tiledKernel(opts?: { TM?: number; TN?: number; TX?: number; TY?: number; BK?: number }): string;
export function subgroupDispatch(opts?: { ROWS?: number }, WG?: number): (M: number, N: number) => number[];
export function tiledDispatch(opts?: { TM?: number; TN?: number; TX?: number; TY?: number }): (M: number, N: number) => number[];
