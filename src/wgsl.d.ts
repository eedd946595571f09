// WGSL sources are imported as strings: esbuild's text loader in builds, a small plugin in vitest.
declare module '*.wgsl' {
  const source: string;
  export default source;
}

// The package's `main` is a CommonJS-flavoured build; import the ES module build directly.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
