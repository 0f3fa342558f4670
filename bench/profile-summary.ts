// `node bench/profile-summary.ts <file.cpuprofile> [top]`: where the CPU time of a
// `node --cpu-prof` profile went, as self time per function and per module/package.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

/** node_modules/<pkg>, packages/framework/dist/<file>, node:<module>, or the V8 pseudo-frames. */
function moduleOf(url: string, fn: string): string {
  if (!url) return `(${fn || 'native'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const fw = /packages\/framework\/dist\/(.*)$/.exec(url);
  if (fw) return `framework/${fw[1]}`;
  return url.replace(/^file:\/\/.*\/(bench|packages)\//, '$1/');
}

const functions = new Map<string, number>();
const modules = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const mod = moduleOf(url, functionName);
  const fn = `${functionName || '(anonymous)'} ${mod}${url ? `:${lineNumber + 1}` : ''}`;
  functions.set(fn, (functions.get(fn) ?? 0) + us);
  modules.set(mod, (modules.get(mod) ?? 0) + us);
  total += us;
}
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
  }
};
console.log(
  `${file}: ${(total / 1e6).toFixed(2)} s sampled over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`,
);
show('self time by module / package', modules);
show('self time by function', functions);
