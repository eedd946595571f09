/** The package API for apps (Node and browsers): models from a config, training, sampling, the metric, checkpoints. */
export { GAN, createGan, loadGan, randn, type GanConfig, type StepOptions, type StepResult } from './gan.js';
export { GanTrainer, type TrainerOptions, type TrainerState } from './trainer.js';
export { reconstruct, type ReconstructOptions, type ReconstructResult } from './reconstruct.js';
export {
  loadStateDict, stateDict, loadSafetensors, saveSafetensors,
  type StateDict, type LoadStateDictOptions, type LoadStateDictResult,
} from './state-dict.js';
export { toBytes, type BytesSource } from './bytes.js';
export type { ImageSource } from './images.js';
export type { ImageDataset } from '../data/dataset.js';
export { Module, Sequential } from '../nn/module.js';
export { DcganGenerator, DcganDiscriminator, NORMS, type Norm, type DcganConfig } from '../models/dcgan.js';
export { ResnetGenerator, ResnetDiscriminator } from '../models/resnet.js';
export { DEFAULTS as TRAIN_DEFAULTS, type TrainConfig } from '../train/config-core.js';
export { encodeSafetensors, decodeSafetensors, SafetensorsError, type SafeTensor, type SafeDType } from '../io/safetensors-codec.js';
