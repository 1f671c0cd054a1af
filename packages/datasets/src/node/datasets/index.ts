// The built-in datasets, each registered by its own file. Import order is registration order: the
// order the CLI lists them in.
export { fashionMnistDataset } from './fashion-mnist.js';
export { mnistDataset } from './mnist.js';
export { cifar10Dataset } from './cifar10.js';
export { nmnistDataset } from './n-mnist.js';
export { cifar10DvsDataset } from './cifar10-dvs.js';
export { dvsGestureDataset } from './dvs128-gesture.js';
export { syntheticTaskDataset } from './synthetic.js';
