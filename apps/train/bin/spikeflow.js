#!/usr/bin/env node
/* global AbortController */
// cli.js, not the library entry: the command list, help and flag errors answer without loading tfjs.
import { main, UsageError } from '../dist/cli.js';

// Ctrl-C (SIGINT) and SIGTERM (how Docker, systemd and Kubernetes stop a job): the first stops
// training after the current step, the epoch so far is checkpointed and the exit code is 128 + the
// signal's number (130, 143); a second quits at once.
const interrupt = new AbortController();
const EXIT = { SIGINT: 130, SIGTERM: 143 };
for (const name of ['SIGINT', 'SIGTERM']) {
  process.on(name, () => {
    if (interrupt.signal.aborted) process.exit(EXIT[name]);
    interrupt.abort(name);
    const again = name === 'SIGINT' ? 'Ctrl-C again to quit now' : 'SIGTERM received; send it again to quit now';
    console.error(`\nspikeflow: stopping after this step and saving a checkpoint (${again})`);
  });
}

try {
  process.exitCode = await main(process.argv.slice(2), console.log, { signal: interrupt.signal });
} catch (e) {
  console.error(`spikeflow: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
