// Types of wgsl-loader.mjs (plain JS, so that build.mjs runs it without a TypeScript step).
import type { Plugin as EsbuildPlugin } from 'esbuild';
import type { Plugin as VitePlugin } from 'vite';

export function resolveWgsl(path: string): { code: string; files: string[] };
export function loadWgsl(path: string): string;
export function wgslEsbuildPlugin(deps?: Set<string>): EsbuildPlugin;
export function wgslVitePlugin(): VitePlugin;
