import { loadRuntime } from './runtime-loader.js';

// The library entry registers the plugins and the Node backends as the command does before it runs
// (the binary loads them only when a command needs them).
await loadRuntime();

export { main, parse, UsageError, USAGE, COMMANDS, type MainOptions } from './cli.js';
export { resolvePreset } from './resolve.js';
export { PRESETS, PAPER_PRESETS, DATASETS, presetTable, paperImageNet, paperCifarNet, paperEventNet, type Preset, type PresetSchedule, type DatasetName } from './presets.js';
export { sewResNet, sewBlock, recurrentRowNet, spikingAttentionNet, type Connect } from './graph-presets.js';
export { run, evaluate, scheduleOf, formatEpoch, type RunOptions, type RunResult, type PartialEpoch } from './loop.js';
export { selectBackend, backendChoices, BACKENDS, type BackendName } from './backends.js';
export { loadSplits, streamOf, probeBatch, DataLocationError, type Split, type DataOptions } from './data.js';
export { readMetrics, writeMetrics, METRICS_FILE, type MetricsRecord } from './metrics.js';
export { writeReport, writeComparisonReport, REPORT_FILE } from './report/write.js';
export { EXPERIMENTS, type Experiment, type Variant, type Comparison, type MetricName, type SensitivityGroup } from './experiments.js';
export { trainOnBudget, orderDigest, type BudgetRunOptions, type BudgetRunResult, type CurvePoint, type RunMeasures } from './experiment/budget-run.js';
export { RESULTS_FILE, RESULTS_FORMAT, type ExperimentResults, type ExperimentSetup, type Machine, type RunFile } from './experiment/results.js';
export { summarize, TEST_DESCRIPTION, type ExperimentSummary, type RunEntry, type VariantSummary, type ComparisonResult } from './experiment/summary.js';
export { welch, twoSidedP, type WelchTest } from './experiment/stats.js';
export { experimentHtml, curveChartSvg, seedBand, type BandPoint } from './report/experiment-html.js';
export { applySpecFile, checkSpecFile, DATASET_INPUT, type SpecFile } from './spec-file.js';
export type { Command, CommandContext } from './commands/command.js';
