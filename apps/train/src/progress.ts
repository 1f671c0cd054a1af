import cliProgress from 'cli-progress';
import type { BatchProgress } from '@spikeflow/core';

/** Shows training as it goes: a bar on a terminal, plain lines in logs and CI. */
export interface ProgressSink {
  batch(p: BatchProgress): void;
  /** Called before a line is printed between steps (the bar must get out of the way). */
  pause(): void;
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'none';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(r).padStart(2, '0')}s`;
}

/** Seconds left in the run at the current speed, capped by the time budget. */
export function runEta(p: BatchProgress, maxSeconds?: number): number {
  const perEpoch = p.samplesPerEpoch ?? NaN;
  const left = (p.epochs - p.epoch - 1) * perEpoch + (perEpoch - p.samples);
  const eta = p.imagesPerSecond > 0 ? left / p.imagesPerSecond : NaN;
  return maxSeconds !== undefined ? Math.min(Number.isFinite(eta) ? eta : Infinity, Math.max(0, maxSeconds - p.elapsedSeconds)) : eta;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '-');
const num = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : '-');

function fields(p: BatchProgress, maxSeconds?: number) {
  return {
    ep: `${p.epoch + 1}/${p.epochs}`,
    ips: p.imagesPerSecond.toFixed(1),
    loss: num(p.loss),
    acc: pct(p.accuracy),
    lr: p.learningRate.toExponential(2),
    run: formatDuration(runEta(p, maxSeconds)),
  };
}

/** A cli-progress bar on `stream` (a TTY): images of the epoch, images/s, loss, accuracy, ETAs. */
export function barProgress(stream: NodeJS.WriteStream, maxSeconds?: number): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'epoch {ep} {bar} {percentage}% {value}/{total} img | {ips} img/s | loss {loss} | acc {acc} | lr {lr} | epoch eta {eta_formatted} | run eta {run}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let epoch = -1;
  return {
    batch(p) {
      const f = fields(p, maxSeconds);
      if (p.epoch !== epoch) {
        if (epoch >= 0) bar.stop();
        epoch = p.epoch;
        bar.start(p.samplesPerEpoch ?? p.samples, p.samples, f);
      } else {
        bar.update(p.samples, f);
      }
    },
    pause() {
      if (epoch >= 0) bar.stop();
      epoch = -1;
    },
    stop() {
      if (epoch >= 0) bar.stop();
      epoch = -1;
    },
  };
}

/** A plain line every `everySeconds` (and at the end of each epoch's steps), for logs and CI. */
export function lineProgress(log: (line: string) => void, everySeconds = 30, maxSeconds?: number): ProgressSink {
  let last = -Infinity;
  return {
    batch(p) {
      const done = p.samplesPerEpoch !== undefined && p.samples >= p.samplesPerEpoch;
      if (p.elapsedSeconds - last < everySeconds && !done) return;
      last = p.elapsedSeconds;
      const f = fields(p, maxSeconds);
      const of = p.samplesPerEpoch ? `/${p.samplesPerEpoch} (${Math.floor((100 * p.samples) / p.samplesPerEpoch)}%)` : '';
      log(`  epoch ${f.ep}  ${p.samples}${of}  ${f.ips} img/s  loss ${f.loss}  acc ${f.acc}  lr ${f.lr}  run eta ${f.run}`);
    },
    pause() {},
    stop() {},
  };
}

export const noProgress: ProgressSink = { batch() {}, pause() {}, stop() {} };

/** 'bar' on a TTY, 'lines' elsewhere, unless the user chose. */
export function progressFor(mode: ProgressMode | undefined, log: (line: string) => void, maxSeconds?: number, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const chosen = mode ?? (stream.isTTY ? 'bar' : 'lines');
  if (chosen === 'bar') return barProgress(stream, maxSeconds);
  if (chosen === 'lines') return lineProgress(log, 30, maxSeconds);
  return noProgress;
}
