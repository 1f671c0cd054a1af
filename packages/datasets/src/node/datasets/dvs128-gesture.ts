import { defineDataset } from '../../registry/dataset.js';
import { paperEventNet, paperTraining } from '../../presets/paper.js';
import { loadDvsGesture } from '../event-loaders.js';
import { eventSplits } from './splits.js';

/** DVS128 Gesture: folder holding DvsGesture/ (or DvsGesture.tar.gz); 11 classes, 128x128 frames. */
export const dvsGestureDataset = defineDataset({
  name: 'dvs128-gesture',
  inputShape: [128, 128, 2],
  classes: 11,
  load: (o) => eventSplits('dvs128-gesture', o, loadDvsGesture),
  preset: {
    description: "the paper's DVS128 Gesture setting: 5 conv blocks, 20 frames, 11 classes (--data-dir: folder holding DvsGesture/ or DvsGesture.tar.gz)",
    paperAccuracy: 97.57,
    paperOrder: 6,
    model: paperEventNet('plif-dvs128-gesture', 128, 5, 11, 20),
    ...paperTraining,
  },
});
