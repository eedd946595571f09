/** A progress bar with iterations/s and ETA on interactive terminals; periodic plain lines otherwise. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, info?: Record<string, string>): void;
  log(line: string): void;
  stop(): void;
}

export function progress(label: string, total: number, start = 0): Progress {
  const t0 = performance.now();
  if (!process.stderr.isTTY) {
    let lastPrint = 0;
    return {
      update(done, info = {}) {
        const now = performance.now();
        if (now - lastPrint < 10_000 && done !== total) return;
        lastPrint = now;
        const rate = (done - start) / ((now - t0) / 1000);
        const eta = rate > 0 ? (total - done) / rate : NaN;
        const extra = Object.entries(info).map(([k, v]) => `${k} ${v}`).join('  ');
        process.stderr.write(`${label} ${done}/${total}  ${rate.toFixed(2)} it/s  ETA ${formatSeconds(eta)}  ${extra}\n`);
      },
      log: (line) => process.stderr.write(line + '\n'),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} {bar} {value}/{total}  {rate} it/s  ETA {eta_formatted}  {info}`, hideCursor: true, etaBuffer: 50, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, start, { rate: '-', info: '' });
  let current = start;
  return {
    update(done, info = {}) {
      current = done;
      const rate = (done - start) / ((performance.now() - t0) / 1000);
      bar.update(done, { rate: rate.toFixed(2), info: Object.entries(info).map(([k, v]) => `${k} ${v}`).join('  ') });
    },
    log(line) {
      // cli-progress redraws in place: stop it, print the line, and start it again below
      bar.stop();
      process.stderr.write(line + '\n');
      bar.start(total, current, { rate: '-', info: '' });
    },
    stop: () => bar.stop(),
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
