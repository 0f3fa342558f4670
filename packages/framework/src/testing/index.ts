// The testing kit, envtest for TypeScript: a cluster for the suite (KUBECONFIG's, or an
// embedded etcd + kube-apiserver), the suite's CRDs installed from its controllers, a
// namespace per test, the operator run in-process, and waits for objects, conditions and
// Events. Its own entry point (`@fedora-operators/framework/testing`) so production code never
// loads it.
export {
  startTestCluster,
  type TestCluster,
  type TestClusterOptions,
  type TestNamespace,
} from './test-cluster.js';
export { startControlPlane, ensureControlPlaneBinaries, type ControlPlane } from './control-plane.js';
export { startOperator, type RunningOperator, type StartOperatorOptions } from './operator.js';
export { ManualClock } from './manual-clock.js';
export { openWatches } from './watches.js';
export { waitForObject, waitForCondition, waitForEvent, type EventMatch, type WaitOptions } from './wait.js';
export {
  checkRunLedger,
  describeRunLedger,
  formatLedgerEntry,
  ledgeredRuns,
  parseLedger,
  type LedgerEntry,
  type LedgeredRun,
  type LostChange,
  type Overlap,
  type RunLedgerReport,
} from './run-ledger.js';
