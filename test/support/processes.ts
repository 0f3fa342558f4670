// What is running on this machine, read from /proc: for tests that prove a killed owner leaves
// no component process behind.
import { readdirSync, readFileSync } from 'node:fs';

/** Command lines of processes that mention `text`, except the watchdog shells (`sh -c ...`). */
export function processesWith(text: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmdline.includes(text) && !cmdline.startsWith('sh -c') ? [cmdline] : [];
      } catch {
        return []; // exited meanwhile
      }
    });
}
