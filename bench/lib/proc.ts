// Memory and CPU of one operator process, from /proc (Linux): VmRSS, VmHWM and utime+stime.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface ProcSample {
  rssMiB: number;
  hwmMiB: number;
  cpuSeconds: number;
}

export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is the first, utime the 12th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024, cpuSeconds: ticks / ticksPerSecond };
  } catch {
    return undefined; // exited
  }
}

/** Samples a process every intervalMs, keeping the peak and the last sample (a process's /proc goes with it). */
export class ProcSampler {
  peakRssMiB = 0;
  last: ProcSample = { rssMiB: 0, hwmMiB: 0, cpuSeconds: 0 };
  readonly pid: number;
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number, intervalMs = 100) {
    this.pid = pid;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  sample(): ProcSample {
    const s = sampleProc(this.pid);
    if (s) {
      this.last = s;
      this.peakRssMiB = Math.max(this.peakRssMiB, s.rssMiB, s.hwmMiB);
    }
    return this.last;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
