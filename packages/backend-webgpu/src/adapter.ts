/** What setup() found: the adapter the webgpu backend runs on. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a CPU implementation (Mesa llvmpipe/lavapipe, SwiftShader, WARP): correct but slow. */
  software: boolean;
  /** 'browser' (navigator.gpu) or 'node-dawn' (the npm package webgpu). */
  runtime: 'browser' | 'node-dawn';
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|microsoft basic render|warp/i;

export function describeAdapter(adapter: { info?: AdapterInfoLike; isFallbackAdapter?: boolean }, runtime: AdapterReport['runtime']): AdapterReport {
  const info = adapter.info ?? {};
  const r = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
  const software = !!(adapter.isFallbackAdapter || info.isFallbackAdapter) || SOFTWARE.test(Object.values(r).join(' '));
  return { ...r, software, runtime };
}

export function formatAdapter(a: AdapterReport): string {
  const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unnamed adapter';
  return `${name} (${a.software ? 'software' : 'hardware'}, ${a.runtime})`;
}

/** The message for "no adapter": what to install, per platform. */
export function noAdapterMessage(runtime: AdapterReport['runtime'], detail = ''): string {
  const lines = [
    `@spikeflow/backend-webgpu: no WebGPU adapter${detail ? ` (${detail})` : ''}.`,
    runtime === 'browser'
      ? 'In a browser: use one with WebGPU enabled (Chrome/Edge 113+, Safari 26+, Firefox 141+ on Windows), served over https or http://localhost.'
      : 'In Node, WebGPU comes from Dawn (npm package "webgpu") over the system GPU API:',
    '  Linux: a Vulkan driver and loader: the GPU vendor\'s (NVIDIA, AMD) or Mesa\'s (apt-get install mesa-vulkan-drivers libvulkan1;',
    '         Mesa >= 24 is needed, on Debian 12 from bookworm-backports: apt-get install -t bookworm-backports mesa-vulkan-drivers).',
    '  macOS: Metal is built in (macOS 13+ on Apple silicon or a Metal GPU).',
    '  Windows: D3D12, an up-to-date GPU driver (or WARP, the software rasteriser).',
  ];
  return lines.join('\n');
}
