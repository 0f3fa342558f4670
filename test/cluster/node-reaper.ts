// The run's watchdog: started (in its own session) by whoever starts a real node, before
// anything is created, with its stdin a pipe from that process. When the pipe closes - an
// orderly stop closes it, a crashed or killed owner closes it by dying - it sweeps everything
// of the run (node-host.ts sweepRun) and exits. Its log is removed when the sweep left nothing;
// otherwise it stays beside the run folder, naming what is left.
//
// usage: node test/cluster/node-reaper.ts <names.json> <log file>
import { readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { sweepRun } from './node-host.ts';
import type { NodeNames } from './node-names.ts';

const [namesFile, logFile = ''] = process.argv.slice(2);
if (!namesFile || !logFile) {
  console.error('usage: node-reaper.ts <names.json> <log file>');
  process.exit(2);
}
const names = JSON.parse(readFileSync(namesFile, 'utf8')) as NodeNames;
const log = (m: string) => appendFileSync(logFile, `${new Date().toISOString()} ${m}\n`);
writeFileSync(logFile, '');
log(`watching run ${names.runId} (pid ${process.pid})`);

// The owner's terminal or process group must not take the reaper down before it has swept.
for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM', 'SIGPIPE'] as const) process.on(signal, () => {});

let swept = false;
async function sweep(reason: string): Promise<void> {
  if (swept) return;
  swept = true;
  log(`sweeping: ${reason}`);
  const report = await sweepRun(names, { log });
  log(
    `killed ${report.killed.length} processes, unmounted ${report.unmounted.length}, removed ${report.cgroupsRemoved.length} cgroups`,
  );
  if (report.left.length) {
    log(`LEFT ON THE MACHINE:\n${report.left.join('\n')}`);
    process.exit(1);
  }
  rmSync(logFile, { force: true });
  process.exit(0);
}

process.stdin.on('data', () => {});
process.stdin.on('end', () => void sweep('owner closed the pipe (stopped or exited)'));
process.stdin.on('error', () => void sweep('owner pipe broke'));
process.stdin.resume();
