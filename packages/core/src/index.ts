export * as expr from './expr.js';
export { Expr, constant, variable, param, diff, hoistInvariants, toJs, toWgsl, type ExprNode, type ExprLike, type VarName, type PrintNames } from './expr.js';
export { evalTf, evalNumber } from './expr-tf.js';
export {
  defineNeuron,
  defineSurrogate,
  definePool,
  compileNeuron,
  type NeuronPlugin,
  type SurrogatePlugin,
  type PoolPlugin,
  type AnyPlugin,
  type ChargeContext,
  type NeuronCommonOptions,
  type CompiledNeuron,
  type PoolWindow,
} from './plugins.js';
export { Registry, registry, use } from './registry.js';
export {
  runNeuron,
  referenceOp,
  registerNeuronKernel,
  unregisterNeuronKernel,
  neuronImplementation,
  makeNeuronOp,
  partialsReadInput,
  type NeuronOp,
  type NeuronOpImpl,
  type NeuronKernelFactory,
} from './neuron-op.js';
export { hostNeuronKernel, copyingMemory, type HostMemory } from './host-kernel.js';
export { Network, build, type BuildOptions, type ForwardOptions, type ForwardResult } from './network.js';
export type { Layer, LayerVariable, ForwardContext } from './layers.js';
export { validate, parseSpec } from './validate.js';
export { ShapeError } from './errors.js';
export { firingRate, rateLoss, correctCount, oneHotLabels, type LossKind } from './loss.js';
export { Trainer, makeOptimizer, setLearningRate, cosineLearningRate, type TrainerOptions, type OptimizerSpec, type CosineSchedule, type StepResult } from './train.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, type CheckpointMeta, type SaveOptions, type LoadedCheckpoint } from './checkpoint.js';
export {
  runNeuronCase,
  formatCaseResult,
  neuronLayerFromVectorConfig,
  CONFORMANCE_TOLERANCE,
  type NeuronVectorCase,
  type NeuronVectorFile,
  type CaseResult,
} from './conformance.js';
export { SpecError, type ModelSpec, type ValidatedModelSpec } from '@spikeflow/spec';
export { syntheticDataset, seededRandom, type SyntheticOptions } from './synthetic.js';
