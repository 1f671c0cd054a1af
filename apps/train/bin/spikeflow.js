#!/usr/bin/env node
/* global AbortController */
import { main, UsageError } from '../dist/index.js';

// Ctrl-C: the first stops training after the current step (the epoch so far is checkpointed and
// the exit code is 130); a second quits at once.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
  console.error('\nspikeflow: stopping after this step and saving a checkpoint (Ctrl-C again to quit now)');
});

try {
  process.exitCode = await main(process.argv.slice(2), console.log, { signal: interrupt.signal });
} catch (e) {
  console.error(`spikeflow: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
