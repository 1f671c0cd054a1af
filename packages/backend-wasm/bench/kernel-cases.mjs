// The kernels this package adds or replaces, on the shapes they see in one training step of the
// ANN-floor network (batch 64 x T=4 = 256 samples).
const B = 256;
const pool2 = { filterSize: 2, strides: 2, pad: 'valid' };
const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC' };

/** kernel, label, input shapes (name -> shape) and attrs. */
export const kernelCases = [
  { kernel: 'Conv2DBackpropFilter', label: 'conv1 dW (Ci=1, im2col)', inputs: { x: [B, 28, 28, 1], dy: [B, 28, 28, 32] },
    attrs: { ...conv, filterShape: [3, 3, 1, 32] } },
  { kernel: 'Conv2DBackpropFilter', label: 'conv2 dW (Ci=32, conv)', inputs: { x: [B, 14, 14, 32], dy: [B, 14, 14, 32] },
    attrs: { ...conv, filterShape: [3, 3, 32, 32] } },
  { kernel: 'Conv2DBackpropInput', label: 'conv2 dx', inputs: { dy: [B, 14, 14, 32], filter: [3, 3, 32, 32] },
    attrs: { ...conv, inputShape: [B, 14, 14, 32] } },
  { kernel: 'BatchMatMul', label: 'dense1 dW = xT.dy', inputs: { a: [1, B, 1568], b: [1, B, 512] },
    attrs: { transposeA: true, transposeB: false } },
  { kernel: 'BatchMatMul', label: 'dense1 dx = dy.WT', inputs: { a: [1, B, 512], b: [1, 1568, 512] },
    attrs: { transposeA: false, transposeB: true } },
  { kernel: 'BatchMatMul', label: 'dense2 dW = hT.dy', inputs: { a: [1, B, 512], b: [1, B, 10] },
    attrs: { transposeA: true, transposeB: false } },
  { kernel: 'MaxPoolGrad', label: 'pool1 grad', inputs: { dy: [B, 14, 14, 32], input: [B, 28, 28, 32], output: [B, 14, 14, 32] },
    attrs: pool2 },
  { kernel: 'MaxPoolGrad', label: 'pool2 grad', inputs: { dy: [B, 7, 7, 32], input: [B, 14, 14, 32], output: [B, 7, 7, 32] },
    attrs: pool2 },
  { kernel: 'Sum', label: 'BN/bias sum over NHW', inputs: { x: [B, 28, 28, 32] }, attrs: { axis: [0, 1, 2], keepDims: false } },
  { kernel: 'Mean', label: 'BN mean over NHW', inputs: { x: [B, 28, 28, 32] }, attrs: { axis: [0, 1, 2], keepDims: false } },
  { kernel: 'Sum', label: 'dense bias grad', inputs: { x: [B, 512] }, attrs: { axis: [0], keepDims: false } },
  { kernel: 'Tile', label: 'broadcast [1,1,1,32]', inputs: { x: [1, 1, 1, 32] }, attrs: { reps: [B, 28, 28, 1] } },
  { kernel: 'Identity', label: 'activation copy', inputs: { x: [B, 28, 28, 32] }, attrs: {} },
  { kernel: 'Cast', label: 'float32 -> float32', inputs: { x: [B, 28, 28, 32] }, attrs: { dtype: 'float32' } },
];
