// DVS128 Gesture label files (userNN_lighting_labels.csv): a header row, then
// `class,startTime_usec,endTime_usec` with classes 1..11; stored here 0-based.
import { FormatError } from '../errors.js';

export const DVS_GESTURE_CLASSES = [
  'hand clapping', 'right hand wave', 'left hand wave', 'right arm clockwise', 'right arm counter-clockwise',
  'left arm clockwise', 'left arm counter-clockwise', 'arm roll', 'air drums', 'air guitar', 'other gestures',
] as const;

export interface GestureWindow {
  /** 0-based class (file value - 1). */
  label: number;
  /** Events with start <= t < end belong to the sample (as SpikingJelly cuts them). */
  start: number;
  end: number;
}

export function parseGestureLabels(text: string, file: string): GestureWindow[] {
  const out: GestureWindow[] = [];
  const lines = text.split(/\r?\n/);
  let offset = 0;
  lines.forEach((line, n) => {
    const at = offset;
    offset += line.length + 1;
    const trimmed = line.trim();
    if (n === 0 || trimmed === '') return; // header row, blank lines
    const cells = trimmed.split(/[,\t]/).map((c) => c.trim());
    const nums = cells.map(Number);
    if (cells.length !== 3 || nums.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new FormatError(`line ${n + 1}: expected "class,startTime_usec,endTime_usec" with integers, got "${trimmed}"`, { file, offset: at });
    }
    const [cls, start, end] = nums;
    if (cls < 1 || cls > 11) throw new FormatError(`line ${n + 1}: class ${cls} is not in 1..11`, { file, offset: at });
    if (end <= start) throw new FormatError(`line ${n + 1}: endTime ${end} is not after startTime ${start}`, { file, offset: at });
    out.push({ label: cls - 1, start, end });
  });
  return out;
}

export function encodeGestureLabels(windows: readonly GestureWindow[]): string {
  return ['class,startTime_usec,endTime_usec', ...windows.map((w) => `${w.label + 1},${w.start},${w.end}`)].join('\r\n') + '\r\n';
}
