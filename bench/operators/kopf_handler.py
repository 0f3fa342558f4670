# The benchmark's operator on Kopf: the same three handlers as bench/operators/ours.mjs.
#   KUBECONFIG=... kopf run --standalone -n <ns> bench/operators/kopf_handler.py
import datetime

import kopf

GROUP, VERSION, PLURAL = 'bench.fedora-operators', 'v1', 'benchobjects'
UPDATE_RUNS: dict[str, int] = {}


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_):
    # Ours posts no Event for a successful handler unless asked to (successEvents); Kopf posts
    # one per handler run by default. Switch that off so both make the same API writes.
    settings.posting.enabled = False


@kopf.on.create(GROUP, VERSION, PLURAL)
def create(patch, **_):
    patch.status['handledAt'] = now()


@kopf.on.update(GROUP, VERSION, PLURAL)
def update(name, spec, patch, **_):
    runs = UPDATE_RUNS.get(name, 0) + 1
    UPDATE_RUNS[name] = runs
    patch.status['seq'] = spec.get('seq')
    patch.status['updateRuns'] = runs
    patch.status['updatedAt'] = now()


@kopf.on.resume(GROUP, VERSION, PLURAL)
def resume(patch, **_):
    patch.status['resumedAt'] = now()
