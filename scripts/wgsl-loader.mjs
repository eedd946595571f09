// WGSL has no includes, so kernels share helpers with a comment directive resolved when a .wgsl file is
// imported as a string (esbuild builds, vitest, the browser bundles of the tests and the demo):
//
//   //#include "lib/channel.wgsl"
//
// The path is relative to the including file. The directive line (with its line break) is replaced by the
// included file, resolved recursively; a file already included is not included again (its directive line
// is dropped), so a helper used by two includes is defined once. A missing file, a cycle or a malformed
// directive is an error naming the file and line. Files without directives are returned byte for byte.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const DIRECTIVE = /^[ \t]*\/\/#include\b(.*)$/;
const ARG = /^[ \t]+"([^"]+)"[ \t]*$/;

const shown = (p) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

/** The resolved text of the WGSL file at `path`, and every file it read (absolute paths, `path` first). */
export function resolveWgsl(path) {
  const files = [];
  const done = new Set();
  const stack = [];

  function load(file, from) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const what = e.code === 'ENOENT' ? 'not found' : e.message;
      throw new Error(from ? `${from}: cannot include ${shown(file)}: ${what}` : `WGSL file ${shown(file)}: ${what}`);
    }
    files.push(file);
    done.add(file);
    stack.push(file);
    // split keeping line breaks, so that everything but directive lines is copied unchanged
    const lines = text.split(/(?<=\n)/);
    let out = '';
    for (let i = 0; i < lines.length; i++) {
      const m = DIRECTIVE.exec(lines[i].replace(/\r?\n$/, ''));
      if (!m) {
        out += lines[i];
        continue;
      }
      const where = `${shown(file)}:${i + 1}`;
      const arg = ARG.exec(m[1]);
      if (!arg) throw new Error(`${where}: malformed include (expected //#include "relative/path.wgsl")`);
      const target = resolve(dirname(file), arg[1]);
      if (stack.includes(target)) {
        const cycle = [...stack.slice(stack.indexOf(target)), target].map(shown).join(' -> ');
        throw new Error(`${where}: include cycle: ${cycle}`);
      }
      if (done.has(target)) continue;
      const inc = load(target, where);
      out += inc.length && !inc.endsWith('\n') ? inc + '\n' : inc;
    }
    stack.pop();
    return out;
  }

  const code = load(resolve(path), null);
  return { code, files };
}

/** The resolved text of the WGSL file at `path` (see the header). */
export function loadWgsl(path) {
  return resolveWgsl(path).code;
}

/**
 * esbuild plugin: `import src from './x.wgsl'` gives the resolved text (in place of `loader: { '.wgsl':
 * 'text' }`). Included files are watched; `deps`, if given, collects every WGSL file read (absolute paths),
 * since esbuild's metafile lists only the imported ones.
 */
export function wgslEsbuildPlugin(deps) {
  return {
    name: 'wgsl-include',
    setup(b) {
      b.onLoad({ filter: /\.wgsl$/ }, (a) => {
        const { code, files } = resolveWgsl(a.path);
        for (const f of files) deps?.add(f);
        return { contents: code, loader: 'text', watchFiles: files };
      });
    },
  };
}

/** Vite/vitest plugin with the same result as wgslEsbuildPlugin. */
export function wgslVitePlugin() {
  return {
    name: 'wgsl-include',
    transform(_code, id) {
      if (!id.endsWith('.wgsl')) return null;
      const { code, files } = resolveWgsl(id);
      for (const f of files.slice(1)) this.addWatchFile?.(f);
      return { code: `export default ${JSON.stringify(code)};`, map: null };
    },
  };
}
