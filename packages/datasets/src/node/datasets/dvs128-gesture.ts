import { loadDvsGesture } from '../event-loaders.js';
import { defineEventDataset } from './paper-kinds.js';

/** DVS128 Gesture: folder holding DvsGesture/ (or DvsGesture.tar.gz); 128x128, 11 classes. */
export const dvsGestureDataset = defineEventDataset({
  name: 'dvs128-gesture', size: 128, classes: 11, blocks: 5, frames: 20, load: loadDvsGesture, paperAccuracy: 97.57, paperOrder: 6,
  description: "the paper's DVS128 Gesture setting: 5 conv blocks, 20 frames, 11 classes (--data-dir: folder holding DvsGesture/ or DvsGesture.tar.gz)",
});
