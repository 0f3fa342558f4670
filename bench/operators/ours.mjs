// The benchmark's operator on our framework, as a user would ship it (plain JavaScript: the
// decorators are applied as functions), run by the framework's CLI:
//   node packages/framework/dist/cli/bin.js run bench/operators/ours.mjs --namespace <ns>
import { Controller, OnCreate, OnResume, OnUpdate } from '@fedora-operators/framework';

const now = () => new Date().toISOString();
/** Handler runs per object in this process: the storm phase reads them back from status. */
const updateRuns = new Map();

class BenchController {
  create(ctx) {
    ctx.patch.status.handledAt = now();
  }

  update(ctx) {
    const runs = (updateRuns.get(ctx.name) ?? 0) + 1;
    updateRuns.set(ctx.name, runs);
    ctx.patch.status.seq = ctx.spec.seq;
    ctx.patch.status.updateRuns = runs;
    ctx.patch.status.updatedAt = now();
  }

  resume(ctx) {
    ctx.patch.status.resumedAt = now();
  }
}
Controller({ group: 'bench.fedora-operators', version: 'v1', kind: 'BenchObject', plural: 'benchobjects' })(
  BenchController,
);
OnCreate()(BenchController.prototype, 'create');
OnUpdate()(BenchController.prototype, 'update');
OnResume()(BenchController.prototype, 'resume');

export default [BenchController];
