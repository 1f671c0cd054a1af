// For backend authors (and neuron kernel authors): kernel names, kernel registration, the host
// kernels, the reference ops behind the fused kernels, the expression printers and the vector-case
// runner. Applications need none of this: '@spikeflow/core' is their API.
export * as expr from '../expr.js';
export { diff, substitute, toJs, toWgsl, evalNumber, type PrintNames } from '../expr.js';
export { buildNeuronIR, neuronStep, type NeuronIR, type Stmt as NeuronStmt, type NeuronDynamics } from '../neuron-ir.js';
export { evalTf } from '../expr-tf.js';
export { compileNeuron, type CompiledNeuron } from '../plugins.js';
export { releaseSaved, releaseUpstreamGradient } from '../gradient-release.js';
export { conv2dSpikes, matMulSpikes, reshapeKeepingNothing } from '../spike-storage.js';
export {
  referenceOp,
  registerNeuronKernel,
  unregisterNeuronKernel,
  neuronImplementation,
  makeNeuronOp,
  numCheckpoints,
  type NeuronOp,
  type NeuronOpImpl,
  type NeuronOpOptions,
  type NeuronKernelFactory,
} from '../neuron-op.js';
export {
  NEURON_KERNEL,
  registerKernels,
  kernelTraits,
  type RegisterKernelsOptions,
  type BackendKernelConfig,
  type NeuronKernelConfig,
  type KernelTraits,
  type TraitedKernelConfig,
} from '../backend.js';
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
} from '../batch-norm-op.js';
export { adamUpdate, adamUpdateReference, FusedAdamOptimizer, ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '../adam-op.js';
export { adamUpdateHost } from '../adam-host.js';
export { FusedMomentumOptimizer, MOMENTUM_UPDATE_KERNEL, type MomentumUpdateAttrs } from '../momentum-op.js';
export { ALL_FINITE_KERNEL, allFinite } from '../step-checks.js';
export { batchNormTrainHost, batchNormTrainGradHost, batchNormHostLoops } from '../batch-norm-host.js';
export { hostNeuronKernel, hostKernelSource, copyingMemory, type HostMemory, type HostKernelCode } from '../host-kernel.js';
export {
  runNeuronCase,
  formatCaseResult,
  compileCaseNeuron,
  caseProblems,
  generateNeuronVectors,
  neuronLayerFromVectorConfig,
  CONFORMANCE_TOLERANCE,
  TARGET_SPIKE_RATE,
  type GenerateOptions,
  type NeuronVectorCase,
  type NeuronVectorFile,
  type CaseResult,
} from '../conformance.js';
