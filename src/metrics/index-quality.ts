/** The sample-quality metrics in one import: the classifier (train, save, load), features, FD and KID. */
export {
  trainClassifier, fitClassifier, saveClassifier, loadClassifier, readClassifierMeta, classifierAccuracy, loadLabels,
  CLASSIFIER_FORMAT, CLASSIFIER_DEFAULTS, type ClassifierMeta, type ClassifierTrainOptions, type TrainClassifierOptions,
} from './classifier-train.js';
export { Classifier, type ClassifierConfig } from '../models/classifier.js';
export { extractFeatures, generatedFeatures, sampleQuality, type SampleQuality, type FeatureOptions } from './features.js';
export {
  frechetDistance, frechetFromMoments, kernelInceptionDistance, sqrtmSymmetric, symmetricEigen, meanAndCovariance,
  type KidOptions, type KidResult,
} from './sample-quality.js';
