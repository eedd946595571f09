/** Images on canvases: NCHW tensors in [0, 1] drawn as grids, and a canvas read back as grayscale bytes. */

/** Target canvas resolution of a grid, in pixels. */
const CANVAS_PX = 270;

/** Draw `count` images (NCHW, 3×size×size each) as a grid of `cols` columns with 1-pixel white gutters. */
export function drawGrid(canvas: HTMLCanvasElement, images: Float32Array, count: number, size: number, cols = Math.ceil(Math.sqrt(count))): void {
  const rows = Math.ceil(count / cols);
  const pad = 1;
  const w = cols * (size + pad) + pad;
  const h = rows * (size + pad) + pad;
  const img = new ImageData(w, h);
  img.data.fill(255); // white gutters
  const plane = size * size;
  for (let n = 0; n < count; n++) {
    const ox = pad + (n % cols) * (size + pad);
    const oy = pad + Math.floor(n / cols) * (size + pad);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = ((oy + y) * w + ox + x) * 4;
        for (let c = 0; c < 3; c++) img.data[o + c] = Math.round(255 * clamp01(images[(n * 3 + c) * plane + y * size + x]!));
      }
    }
  }
  // an integer upscale (pixels stay crisp; CSS sizes the canvas on the page), so tile k of the grid covers
  // canvas pixels [scale·(pad + k·(size + pad)), +scale·size) on each axis
  const scale = Math.max(1, Math.floor(CANVAS_PX / Math.max(w, h)));
  [canvas.width, canvas.height] = [w * scale, h * scale];
  const scratch = document.createElement('canvas');
  [scratch.width, scratch.height] = [w, h];
  scratch.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, 0, 0, w * scale, h * scale);
}

/** The canvas as grayscale bytes (ITU-R 601 luma), width×height, row-major. */
export function canvasToGray(canvas: HTMLCanvasElement): Uint8Array {
  const { data } = canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, canvas.width, canvas.height);
  const out = new Uint8Array(canvas.width * canvas.height);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!);
  return out;
}

/** Paint grayscale bytes onto a canvas of the same size. */
export function grayToCanvas(canvas: HTMLCanvasElement, gray: Uint8Array): void {
  const img = new ImageData(canvas.width, canvas.height);
  for (let i = 0; i < gray.length; i++) {
    img.data.fill(gray[i]!, i * 4, i * 4 + 3);
    img.data[i * 4 + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
