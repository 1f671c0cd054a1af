export * as expr from './expr.js';
export { Expr, constant, variable, param, diff, substitute, toJs, toWgsl, type ExprNode, type ExprLike, type VarName, type PrintNames } from './expr.js';
export { buildNeuronIR, NeuronDefinitionError, type NeuronIR, type Stmt as NeuronStmt, type NeuronDynamics } from './neuron-ir.js';
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
  type StateContext,
  type ThresholdContext,
  type StateVariable,
  type NeuronCommonOptions,
  type CompiledNeuron,
  type PoolWindow,
  type NirNeuronNode,
  type NeuronNirCodec,
  type NirNeuronImport,
} from './plugins.js';
export { Registry, registry, use } from './registry.js';
export {
  runNeuron,
  referenceOp,
  registerNeuronKernel,
  unregisterNeuronKernel,
  neuronImplementation,
  makeNeuronOp,
  type NeuronOp,
  type NeuronOpImpl,
  type NeuronKernelFactory,
} from './neuron-op.js';
export { spikesSavedAsBool, setSpikesSavedAsBool } from './spike-storage.js';
export {
  NEURON_KERNEL,
  registerKernels,
  registerBackendProvider,
  registeredBackendProviders,
  type BackendProvider,
  type BackendReport,
  type BackendCapabilities,
  type BackendCandidate,
  type BackendSetupOptions,
  type BackendKernelConfig,
  type NeuronKernelConfig,
} from './backend.js';
export { selectBackendFrom, rankCandidates, formatSelection, type SelectedBackend, type SelectOptions, type RankedCandidate } from './select.js';
export {
  batchNormTrain,
  batchNormTrainReference,
  batchNormTrainGrad,
  batchNormTrainGradReference,
  batchNormImplementation,
  BATCH_NORM_TRAIN_KERNEL,
  BATCH_NORM_TRAIN_GRAD_KERNEL,
  type BatchNormTrainResult,
  type BatchNormTrainGradResult,
} from './batch-norm-op.js';
export { adamUpdate, adamUpdateReference, FusedAdamOptimizer, ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './adam-op.js';
export { adamUpdateHost } from './adam-host.js';
export { batchNormTrainHost, batchNormTrainGradHost, batchNormHostLoops } from './batch-norm-host.js';
export { hostNeuronKernel, hostKernelSource, copyingMemory, type HostMemory, type HostKernelCode } from './host-kernel.js';
export { Network, build, mixSeed, type BuildOptions, type ForwardOptions, type ForwardResult } from './network.js';
export type { Layer, LayerVariable, ForwardContext } from './layers.js';
export { validate, parseSpec } from './validate.js';
export { estimateTrainingBytes } from './memory.js';
export { ShapeError, StepError, CheckpointError, type StepCheckKind } from './errors.js';
export { stepChecks, checkNeuronParameters, labelsValid, allFinite, type StepCheck } from './step-checks.js';
export { firingRate, outputReadout, rateLoss, correctCount, oneHotLabels, LOSS_KINDS, type LossKind } from './loss.js';
export { Trainer, makeOptimizer, setLearningRate, cosineLearningRate, type TrainerOptions, type CheckedStepResult, type CheckedStepOptions, type OptimizerSpec, type CosineSchedule, type StepResult } from './train.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, type CheckpointMeta, type SaveOptions, type LoadedCheckpoint } from './checkpoint.js';
export {
  runNeuronCase,
  formatCaseResult,
  compileCaseNeuron,
  caseProblems,
  generateNeuronVectors,
  type GenerateOptions,
  neuronLayerFromVectorConfig,
  CONFORMANCE_TOLERANCE,
  type NeuronVectorCase,
  type NeuronVectorFile,
  type CaseResult,
} from './conformance.js';
export { SpecError, type ModelSpec, type ValidatedModelSpec } from '@spikeflow/spec';
export { syntheticDataset, seededRandom, type SyntheticOptions } from './synthetic.js';
export { fit, evaluate, batchNormWarnings, startWeight, yieldToEventLoop, type BatchStream, type LabelledBatch, type BatchProgress, type EpochReport, type FitOptions, type FitResult, type StopReason, type EvaluateOptions, type EvaluateResult } from './fit.js';
export { ScalarMeter } from './meter.js';
export { runMonitors, firingRateMonitor, spikeRasterMonitor, membraneMonitor, neuronLayerNames, type Monitor, type LayerRecord, type Raster, type MembraneTrace, type SampleMonitorOptions } from './monitors.js';
export { summary, formatSummary, type NetworkSummary, type LayerSummary } from './summary.js';
