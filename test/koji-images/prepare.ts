// `node test/koji-images/prepare.ts <cache dir>` (scripts/setup.d/real-node.sh): makes the
// slow layers of the koji images once per machine, with progress on stderr, so that the
// real-node Koji tests and the demo start from the cache. Without a cache folder argument it
// fails saying so; a failed build exits non-zero with mmdebstrap's or pip's output above.
import { prepareKojiLayers } from './koji-images.ts';

const cacheDir = process.argv[2];
if (!cacheDir) {
  process.stderr.write('usage: node test/koji-images/prepare.ts <image cache folder>\n');
  process.exit(2);
}
const started = Date.now();
await prepareKojiLayers(cacheDir, (m) => process.stderr.write(`[koji-images] ${m}\n`));
process.stderr.write(
  `[koji-images] base and koji files layers ready in ${((Date.now() - started) / 1000).toFixed(0)}s (${cacheDir})\n`,
);
