#!/usr/bin/env bash
# operator-sdk, for the test that validates bundle/ (built once per machine, then cached).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/test/bundle/build.sh"
