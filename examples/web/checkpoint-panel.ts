/**
 * Sample from a checkpoint written by `wngan train` (or downloaded from this page): a file chosen or dropped
 * is read with loadGan, which rebuilds the model from the config in the file; errors name the file and the
 * problem (not safetensors, no wngan metadata, tensors that do not match the config, ...).
 */
import { loadGan, randn, type GAN } from 'wngan/browser';
import type { GpuQueue } from './training.js';
import type { DemoHook } from './hook.js';
import { drawGrid } from './images.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class CheckpointPanel {
  gan: GAN | null = null;
  name = '';
  private seed = 1;

  constructor(private readonly gpu: GpuQueue, private readonly hook: DemoHook, private readonly onChange: () => void) {
    $<HTMLInputElement>('ckpt-file').addEventListener('change', (e) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) void this.load(f);
    });
    $<HTMLButtonElement>('ckpt-resample').addEventListener('click', () => {
      this.seed++;
      void this.sample();
    });
  }

  async load(file: File): Promise<void> {
    const info = $('ckpt-info');
    info.className = '';
    info.textContent = `Reading ${file.name} (${(file.size / 1e6).toFixed(2)} MB)…`;
    this.hook.checkpoint = { ...this.hook.checkpoint, status: 'loading', message: undefined };
    try {
      if (file.size === 0) throw new Error('the file is empty');
      const gan = await this.gpu.run(() => loadGan(file, file.name));
      const old = this.gan;
      [this.gan, this.name, this.seed] = [gan, file.name, 1];
      if (old) await this.gpu.run(async () => old.dispose());
      const c = gan.config;
      info.textContent = `${file.name}: ${c.model.toUpperCase()}, norm ${c.norm}, ${c.imageSize} px, width ${c.baseWidth}, ` +
        `z of ${c.codeSize}, trained ${gan.iteration} iterations.`;
      await this.sample();
      this.hook.checkpoint.status = 'loaded';
      this.hook.checkpoint.message = info.textContent;
    } catch (e) {
      const msg = String((e as Error).message ?? e);
      // the engine's messages usually start with the source (the file name): do not repeat it
      info.textContent = `Could not load this checkpoint: ${msg.startsWith(file.name) ? msg : `${file.name}: ${msg}`}`;
      info.className = 'error';
      this.hook.checkpoint = { ...this.hook.checkpoint, status: 'error', message: info.textContent };
    }
    this.onChange();
  }

  private async sample(): Promise<void> {
    const gan = this.gan;
    if (!gan) return;
    const z = randn(64 * gan.codeSize, this.seed);
    const images = await this.gpu.run(() => gan.sample(z));
    drawGrid($<HTMLCanvasElement>('ckpt-samples'), images, 64, gan.imageSize, 8);
    $<HTMLButtonElement>('ckpt-resample').disabled = false;
    this.hook.checkpoint.grids++;
  }
}
