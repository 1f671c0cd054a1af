import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const WORKGROUP = 64;

/**
 * A program whose WGSL is a `main(index)` run by `threads` threads, in workgroups of 64 along x.
 * tfjs generates the bindings (`result`, one storage array per variable name) and the uniforms
 * struct around it; a subclass gives the source, and its uniforms (and `size`) as fields.
 */
export abstract class FlatProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];

  constructor(variableNames: string[], outputShape: number[], shaderKey: string, threads: number) {
    this.variableNames = variableNames;
    this.outputShape = outputShape;
    this.shaderKey = shaderKey;
    this.dispatch = [Math.ceil(threads / WORKGROUP), 1, 1];
  }

  abstract getUserCode(): string;
}

/** Elements in a tensor of this shape: one thread each, for programs over their output. */
export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Uniform values as runWebGPUProgram takes them. */
export const i32 = (v: number) => ({ type: 'int32', data: [v] });
export const f32 = (v: number) => ({ type: 'float32', data: [v] });
