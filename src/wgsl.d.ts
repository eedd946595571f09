// WGSL sources are imported as strings with their //#include directives resolved: scripts/wgsl-loader.mjs
// (an esbuild plugin in builds, a vite plugin in vitest).
declare module '*.wgsl' {
  const source: string;
  export default source;
}

// The package's `main` is a CommonJS-flavoured build; import the ES module build directly.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
