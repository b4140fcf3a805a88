/** @module Features: one declarative feature pipeline per use case, shared by training and serving. */
export { createFeaturePipeline, type FeaturePipeline, featureHash, type InputColumns } from './pipeline.js';
export {
  type FeatureInput,
  type FeatureInputInfo,
  FeatureInputInfoSchema,
  type FeatureState,
  FeatureStateSchema,
  type RawValue,
} from './spec.js';
