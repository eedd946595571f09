/**
 * The page side of the Chromium op tests (chromium.test.ts bundles this file for the browser): it starts the
 * engine on navigator.gpu and runs every case of op-cases.ts, recording pass or the error of each.
 */
import { initBrowser } from '../../src/browser.js';
import { browserOpCases } from './op-cases.js';

export interface PageResult {
  done: boolean;
  adapter?: string;
  subgroups?: boolean;
  /** a failure outside the cases (no WebGPU, engine start-up) */
  error?: string;
  cases: { name: string; ok: boolean; error?: string; ms: number }[];
  /** live GPU bytes before and after all cases: every case disposes what it made */
  liveBytes?: [number, number];
}

const out: PageResult = { done: false, cases: [] };
(globalThis as unknown as { __result: PageResult }).__result = out;
try {
  const rt = await initBrowser();
  out.adapter = rt.adapter.description;
  out.subgroups = rt.hasFeature('subgroups');
  await rt.sync();
  const live0 = rt.memory().liveBytes;
  for (const c of browserOpCases) {
    const t0 = performance.now();
    try {
      await c.run();
      out.cases.push({ name: c.name, ok: true, ms: performance.now() - t0 });
    } catch (e) {
      out.cases.push({ name: c.name, ok: false, error: String((e as Error)?.stack ?? e), ms: performance.now() - t0 });
    }
  }
  await rt.sync();
  out.liveBytes = [live0, rt.memory().liveBytes];
} catch (e) {
  out.error = String((e as Error)?.stack ?? e);
} finally {
  out.done = true;
}
