/**
 * A progress bar with rate and ETA on interactive terminals; periodic plain lines otherwise. The rate and
 * ETA are measured from the first update on, so the first step (on the GPU: compiling every pipeline, ~25 s)
 * does not make the ETA read hours.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, info?: Record<string, string>): void;
  /** print a line above the bar */
  log(line: string): void;
  /** take the bar off the screen for a while (another bar runs); resume() puts it back */
  pause(): void;
  resume(): void;
  stop(): void;
}

/** Rate and ETA from the updates after the first one. */
export class Eta {
  private t1 = NaN;
  private d1 = 0;
  constructor(private readonly total: number) {}
  /** per second, or NaN until two updates were seen */
  rate = NaN;
  update(done: number, now = performance.now()): void {
    if (Number.isNaN(this.t1)) {
      this.t1 = now;
      this.d1 = done;
    } else if (now > this.t1 && done > this.d1) this.rate = (done - this.d1) / ((now - this.t1) / 1000);
  }
  seconds(done: number): number {
    return done >= this.total ? 0 : (this.total - done) / this.rate;
  }
}

const fmtRate = (r: number) => (Number.isFinite(r) ? (r >= 1 ? r.toFixed(2) : r.toPrecision(2)) : '-');

export function progress(label: string, total: number, start = 0, unit = 'it'): Progress {
  const eta = new Eta(total);
  const line = (done: number, info: Record<string, string>) =>
    `${label} ${done}/${total}  ${fmtRate(eta.rate)} ${unit}/s  ETA ${formatSeconds(eta.seconds(done))}  ${Object.entries(info).map(([k, v]) => `${k} ${v}`).join('  ')}`.trimEnd();
  if (!process.stderr.isTTY) {
    let lastPrint = -Infinity;
    return {
      update(done, info = {}) {
        eta.update(done);
        const now = performance.now();
        if (now - lastPrint < 10_000 && done !== total) return;
        lastPrint = now;
        process.stderr.write(line(done, info) + '\n');
      },
      log: (l) => process.stderr.write(l + '\n'),
      pause() {},
      resume() {},
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} {bar} {value}/{total}  {rate} ${unit}/s  ETA {etaText}  {info}`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let current = start;
  let paused = false;
  let payload = { rate: '-', etaText: '?', info: '' };
  bar.start(total, start, payload);
  return {
    update(done, info = {}) {
      current = done;
      eta.update(done);
      payload = { rate: fmtRate(eta.rate), etaText: formatSeconds(eta.seconds(done)), info: Object.entries(info).map(([k, v]) => `${k} ${v}`).join('  ') };
      bar.update(done, payload);
    },
    log(l) {
      // cli-progress redraws in place: stop it, print the line, and start it again below
      if (paused) return void process.stderr.write(l + '\n');
      bar.stop();
      process.stderr.write(l + '\n');
      bar.start(total, current, payload);
    },
    pause() {
      paused = true;
      bar.stop();
    },
    resume() {
      paused = false;
      bar.start(total, current, payload);
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
