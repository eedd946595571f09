/**
 * A small CNN classifier whose penultimate activation serves as the feature space of the sample-quality
 * metrics (Fréchet distance, KID): the usual Inception weights are not available offline, so the features
 * come from a net trained with this engine on the data set's own training split.
 *
 * For 3×S×S input (S divisible by 8): conv k4 s2 → ReLU (S/2), conv k4 s2 → BN → ReLU (S/4), conv k3 s1
 * → BN → ReLU → AvgPool 2×2 (S/8), then Linear → ReLU (the features, dimension `featureDim`) and Linear →
 * logits. Downsampling early with strided convolutions keeps the large maps, where a CPU device spends
 * its time, to one cheap layer; BatchNorm lets a run of a few epochs converge. In eval mode BN uses its
 * running statistics, so an image's features do not depend on the rest of its batch.
 */
import type { Rng } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module, Sequential } from '../nn/module.js';
import { BatchNorm, Conv2d, Flatten, Linear } from '../nn/layers.js';
import { relu } from '../ops/elementwise.js';
import { avgPool2x2 } from '../ops/resample.js';

export interface ClassifierConfig {
  imageSize: number;
  numClasses: number;
  /** channels of the three conv levels */
  widths: [number, number, number];
  /** dimension d of the features (the penultimate layer) */
  featureDim: number;
}

export const DEFAULT_CLASSIFIER: Omit<ClassifierConfig, 'imageSize' | 'numClasses'> = { widths: [16, 32, 64], featureDim: 128 };

class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

class AvgPool2x2 extends Module {
  forward(x: Tensor): Tensor {
    return avgPool2x2(x);
  }
}

export function checkClassifierConfig(c: ClassifierConfig): ClassifierConfig {
  if (!Number.isInteger(c.imageSize) || c.imageSize < 8 || c.imageSize % 8 !== 0) {
    throw new RangeError(`classifier: image size must be a positive multiple of 8, got ${c.imageSize}`);
  }
  if (!Number.isInteger(c.numClasses) || c.numClasses < 2) throw new RangeError(`classifier: needs at least 2 classes, got ${c.numClasses}`);
  const dims = Array.isArray(c.widths) ? [...c.widths, c.featureDim] : [];
  if (dims.length !== 4 || !dims.every((w) => Number.isInteger(w) && w > 0)) {
    throw new RangeError(`classifier: widths must be 3 positive integers and featureDim positive, got ${JSON.stringify(c.widths)}, ${c.featureDim}`);
  }
  return c;
}

export class Classifier extends Module {
  /** conv levels, flatten, linear, ReLU: its output is features(x) */
  readonly body: Sequential;
  readonly head: Linear;

  constructor(rng: Rng, readonly cfg: ClassifierConfig) {
    super();
    checkClassifierConfig(cfg);
    const layers: Module[] = [];
    let c = 3;
    for (const [i, w] of cfg.widths.entries()) {
      const conv = i < 2 ? { kernel: 4, stride: 2 } : { kernel: 3, stride: 1 };
      layers.push(new Conv2d(rng, { inC: c, outC: w, padding: 1, ...conv }));
      if (i > 0) layers.push(new BatchNorm(w));
      layers.push(new ReLU());
      c = w;
    }
    layers.push(new AvgPool2x2());
    const side = cfg.imageSize / 8;
    layers.push(new Flatten(), new Linear(rng, c * side * side, cfg.featureDim), new ReLU());
    this.body = this.child('body', new Sequential(layers));
    this.head = this.child('head', new Linear(rng, cfg.featureDim, cfg.numClasses));
  }

  get featureDim(): number {
    return this.cfg.featureDim;
  }

  /** The penultimate activation [N, featureDim] of images [N, 3, S, S] in [0, 1]. */
  features(x: Tensor): Tensor {
    const S = this.cfg.imageSize;
    if (x.rank !== 4 || x.shape[1] !== 3 || x.shape[2] !== S || x.shape[3] !== S) {
      throw new RangeError(`classifier: expects images [N,3,${S},${S}], got ${x.describe()}`);
    }
    return this.body.forward(x);
  }

  /** Class logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.head.forward(this.features(x));
  }
}
