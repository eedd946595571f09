/** `wngan info`: the adapter, its limits and features, and which kernel variants will be used. */
import { initNode, shutdown } from '../engine-node.js';
import { helpText, parseArgs } from './args.js';

const SPEC = { json: { type: 'boolean', default: false, help: 'print JSON' } } as const;

export async function runInfo(args: string[]): Promise<void> {
  const o = parseArgs('info', args, SPEC);
  if (!o) return console.log(helpText('info', 'Print the WebGPU adapter, its limits and features.', SPEC));
  const rt = await initNode();
  try {
    const a = rt.adapter;
    if (o.json) return console.log(JSON.stringify(a, null, 2));
    console.log(`adapter:  ${a.description}${a.isFallbackAdapter ? ' (fallback/software)' : ''}`);
    console.log(`features: ${a.features.join(', ')}`);
    console.log('limits:');
    for (const [k, v] of Object.entries(a.limits)) console.log(`  ${k.padEnd(36)} ${v}`);
  } finally {
    shutdown();
  }
}
