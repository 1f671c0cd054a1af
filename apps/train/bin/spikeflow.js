#!/usr/bin/env node
import { main, UsageError } from '../dist/index.js';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`spikeflow: ${e.message}`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
