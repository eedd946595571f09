/**
 * Reconstruction: a 28×28 sketch pad (the size of Fashion-MNIST's images) that the user draws on, drops an
 * image onto, or fills with a held-out image; the pad goes through the same preprocessing as the training
 * data, then gan.reconstruct (the paper's metric) finds z* and shows G(z*) and the MSE.
 */
import type { GAN } from 'wngan/browser';
import type { GpuQueue } from './training.js';
import type { DemoHook } from './hook.js';
import { toModelImage, type GrayImages } from './data.js';
import { canvasToGray, drawGrid, grayToCanvas } from './images.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface ModelChoice {
  label: string;
  gan: GAN;
}

export class ReconPanel {
  private readonly pad = $<HTMLCanvasElement>('pad');
  private readonly ctx = this.pad.getContext('2d', { willReadFrequently: true })!;
  private heldOutIndex = 0;
  private models: ModelChoice[] = [];

  /** `heldOut`: images the demo does not train on */
  constructor(private readonly gpu: GpuQueue, private readonly hook: DemoHook, private readonly heldOut: GrayImages, private readonly steps: number) {
    this.clear();
    this.bindDrawing();
    $('pad-clear').addEventListener('click', () => this.clear());
    $('pad-invert').addEventListener('click', () => grayToCanvas(this.pad, canvasToGray(this.pad).map((v) => 255 - v)));
    $('pad-heldout').addEventListener('click', () => this.showHeldOut());
    $<HTMLInputElement>('recon-file').addEventListener('change', (e) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) void this.loadImage(f);
    });
    $('recon-run').addEventListener('click', () => void this.run());
    this.showHeldOut();
  }

  /** The models to choose from (the live ones, a loaded checkpoint); keeps the selection when it can. */
  setModels(models: ModelChoice[]): void {
    const select = $<HTMLSelectElement>('recon-model');
    const previous = this.models[Number(select.value)]?.label;
    this.models = models;
    select.innerHTML = '';
    models.forEach((m, i) => select.add(new Option(m.label, String(i))));
    const keep = models.findIndex((m) => m.label === previous);
    if (keep >= 0) select.value = String(keep);
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, 28, 28);
  }

  showHeldOut(): void {
    const { pixels, count } = this.heldOut; // 28×28, checked when the subset is loaded
    const k = this.heldOutIndex++ % count;
    grayToCanvas(this.pad, pixels.subarray(k * 784, (k + 1) * 784));
  }

  /** Draw an image file onto the pad: fitted inside 28×28 on black, as grayscale. */
  async loadImage(file: File): Promise<void> {
    const out = $('recon-result');
    try {
      const bmp = await createImageBitmap(file);
      this.clear();
      const s = Math.min(28 / bmp.width, 28 / bmp.height);
      const [w, h] = [bmp.width * s, bmp.height * s];
      this.ctx.drawImage(bmp, (28 - w) / 2, (28 - h) / 2, w, h);
      grayToCanvas(this.pad, canvasToGray(this.pad));
      out.className = '';
      out.textContent = `${file.name} is on the pad (fitted to 28×28, grayscale). Fashion-MNIST is light on dark: Invert if yours is not.`;
    } catch {
      out.className = 'error';
      out.textContent = `${file.name}: not an image this browser can decode (${file.type || 'unknown type'})`;
    }
  }

  async run(): Promise<void> {
    const out = $('recon-result');
    const choice = this.models[Number($<HTMLSelectElement>('recon-model').value)];
    if (!choice) {
      out.className = 'error';
      out.textContent = 'No model yet: wait for training to start, or load a checkpoint.';
      return;
    }
    const { gan, label } = choice;
    const input = toModelImage(canvasToGray(this.pad), 28, 28, gan.imageSize);
    $<HTMLButtonElement>('recon-run').disabled = true;
    out.className = '';
    out.textContent = `Reconstructing with ${label}: ${this.steps} RMSprop steps on z…`;
    this.hook.recon = { status: 'running' };
    try {
      // waits for the current training round, then holds the GPU queue until it is done
      const r = await this.gpu.run(() => gan.reconstruct(input, { steps: this.steps, returnImages: true }));
      drawGrid($<HTMLCanvasElement>('recon-original'), input, 1, gan.imageSize, 1);
      drawGrid($<HTMLCanvasElement>('recon-output'), r.images!, 1, gan.imageSize, 1);
      out.textContent = `MSE ${r.mse.toFixed(4)} (per pixel and channel, values in [0, 1]) with ${label} at iteration ${gan.iteration}, ` +
        `after ${this.steps} steps on z: the paper's reconstruction metric.`;
      this.hook.recon = { status: 'done', mse: r.mse, message: out.textContent };
    } catch (e) {
      out.className = 'error';
      out.textContent = `Reconstruction failed: ${(e as Error).message ?? e}`;
      this.hook.recon = { status: 'error', message: out.textContent };
    } finally {
      $<HTMLButtonElement>('recon-run').disabled = false;
    }
  }

  private bindDrawing(): void {
    let drawing = false;
    const paint = (e: PointerEvent) => {
      const r = this.pad.getBoundingClientRect();
      const x = ((e.clientX - r.left) / r.width) * 28;
      const y = ((e.clientY - r.top) / r.height) * 28;
      this.ctx.fillStyle = '#fff';
      this.ctx.beginPath();
      this.ctx.arc(x, y, 1.4, 0, 2 * Math.PI);
      this.ctx.fill();
    };
    this.pad.addEventListener('pointerdown', (e) => {
      drawing = true;
      this.pad.setPointerCapture(e.pointerId);
      paint(e);
    });
    this.pad.addEventListener('pointermove', (e) => drawing && paint(e));
    this.pad.addEventListener('pointerup', () => (drawing = false));
    this.pad.addEventListener('pointercancel', () => (drawing = false));
  }
}
