/**
 * What `import ... from 'wngan'` means when the README's examples run in Chromium
 * (readme-examples.test.ts): the browser entry (`wngan/browser`), with the examples' two Node-only calls
 * mapped to their browser counterparts — initNode() starts the engine on navigator.gpu, and shutdown(),
 * which lets a Node process exit, has nothing to do in a page.
 */
export * from '../../src/browser.js';
export { initBrowser as initNode } from '../../src/browser.js';
export function shutdown(): void {}
