// The public API of @spikeflow/core. What only backend authors need (kernel names, registerKernels,
// host kernels, reference ops) is behind '@spikeflow/core/backend'.
export { Expr, constant, variable, param, type ExprNode, type ExprLike, type VarName } from './expr.js';
export { NeuronDefinitionError } from './neuron-ir.js';
export {
  defineNeuron,
  defineSurrogate,
  definePool,
  type NeuronPlugin,
  type SurrogatePlugin,
  type PoolPlugin,
  type ChargeContext,
  type StateContext,
  type ThresholdContext,
  type StateVariable,
  type NeuronCommonOptions,
  type PoolWindow,
  type NirNeuronNode,
  type NeuronNirCodec,
  type NirNeuronImport,
} from './plugins.js';
export { Registry, registry, use, type AnyPlugin } from './registry.js';
export { runNeuron, type NeuronOpOptions } from './neuron-op.js';
export { spikesSavedAsBool, setSpikesSavedAsBool } from './spike-storage.js';
export {
  registerBackendProvider,
  registeredBackendProviders,
  type BackendProvider,
  type BackendReport,
  type BackendCapabilities,
  type BackendCandidate,
  type BackendSetupOptions,
} from './backend.js';
export { selectBackendFrom, rankCandidates, formatSelection, type SelectedBackend, type SelectOptions, type RankedCandidate } from './select.js';
export { Network, build, mixSeed, type BuildOptions, type ForwardOptions, type ForwardResult } from './network.js';
export type { Layer, LayerVariable, ForwardContext, LayerBuildContext, LayerRuntime } from './layers.js';
export { defineLayer, type LayerPlugin } from './layer-plugin.js';
export type { LayerNirCodec, LayerNirExportContext, NirArray, NirLayout, NirNodeData, NirSignal, NirWeight } from './layer-nir.js';
export { builtinLayers } from './builtin-layers.js';
// The built-in kinds' layer types (DenseLayerSpec, ...), for typed specs; their plugins are in builtinLayers.
export type * from './layer-kinds/index.js';
export { validate, parseSpec } from './validate.js';
export { estimateTrainingBytes } from './memory.js';
export { ShapeError, StepError, CheckpointError, type StepCheckKind } from './errors.js';
export { stepChecks, checkNeuronParameters, labelsValid, allFinite, type StepCheck } from './step-checks.js';
export { firingRate, outputReadout, rateLoss, correctCount, oneHotLabels, LOSS_KINDS, type LossKind } from './loss.js';
export { Trainer, makeOptimizer, setLearningRate, cosineLearningRate, type TrainerOptions, type CheckedStepResult, type CheckedStepOptions, type TrainStepOptions, type OptimizerSpec, type CosineSchedule, type StepResult } from './train.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, type CheckpointMeta, type SaveOptions, type LoadedCheckpoint } from './checkpoint.js';
export { SpecError, type ModelSpec, type LayerSpec, type ValidatedModelSpec } from '@spikeflow/spec';
export { seededRandom } from './random.js';
export { fit, evaluate, batchNormWarnings, startWeight, yieldToEventLoop, type BatchStream, type LabelledBatch, type BatchProgress, type EpochReport, type FitOptions, type FitResult, type StopReason, type EvaluateOptions, type EvaluateResult } from './fit.js';
export { ScalarMeter } from './meter.js';
export { runMonitors, firingRateMonitor, spikeRasterMonitor, membraneMonitor, neuronLayerNames, type Monitor, type LayerRecord, type Raster, type MembraneTrace, type SampleMonitorOptions } from './monitors.js';
export { summary, formatSummary, type NetworkSummary, type LayerSummary } from './summary.js';
