// gpu-check step 1: sets up spikeflow's webgpu backend and writes the setup report (adapter,
// hardware or software, the neuron workgroup size, the adapter's limits) to the file named.
import { writeFileSync } from 'node:fs';
import { setup } from '@spikeflow/backend-webgpu';

const report = await setup();
writeFileSync(process.argv[2], JSON.stringify(report, null, 2));
console.log(`${report.device}; ${report.execution}; spikeflow kernels: ${report.fusedKernels.join(', ')}`);
console.log(`limits: ${JSON.stringify(report.detail?.limits)}`);
process.exit(0);
