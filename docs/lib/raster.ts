// Draws a layer's spikes over T on a canvas: convolutional layers as one spike map per step (the
// share of channels firing at each position), dense layers as a raster (step x neuron).
import type { LayerActivity } from './activity.js';

export function drawActivity(canvas: HTMLCanvasElement, layer: LayerActivity, scale = 3): void {
  const T = layer.timeSteps;
  const ctx = canvas.getContext('2d')!;
  if (layer.shape.length === 3) {
    const [H, W, C] = layer.shape;
    const gap = 2;
    canvas.width = T * (W + gap) - gap;
    canvas.height = H;
    const img = ctx.createImageData(canvas.width, canvas.height);
    for (let t = 0; t < T; t++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          let fired = 0;
          const base = ((t * H + y) * W + x) * C;
          for (let c = 0; c < C; c++) fired += layer.spikes[base + c];
          paint(img, t * (W + gap) + x, y, fired / C);
        }
      }
    }
    ctx.putImageData(img, 0, 0);
  } else {
    const units = layer.shape.reduce((a, b) => a * b, 1);
    canvas.width = units;
    canvas.height = T;
    const img = ctx.createImageData(units, T);
    for (let t = 0; t < T; t++) for (let u = 0; u < units; u++) paint(img, u, t, layer.spikes[t * units + u]);
    ctx.putImageData(img, 0, 0);
  }
  canvas.style.width = `${canvas.width * scale}px`;
  canvas.style.height = `${canvas.height * scale * (layer.shape.length === 3 ? 1 : 2)}px`;
}

/** Dark background, spikes in amber (brighter = more channels firing). */
function paint(img: ImageData, x: number, y: number, level: number): void {
  const i = (y * img.width + x) * 4;
  img.data[i] = 20 + 235 * level;
  img.data[i + 1] = 24 + 160 * level;
  img.data[i + 2] = 40 - 30 * level;
  img.data[i + 3] = 255;
}
