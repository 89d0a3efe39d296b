#!/usr/bin/env bash
# `npm start`: until the conformance run against the reference MVS exists, run the capture analyzer
# over the bundled sample captures and publish its reports under reports/.
set -uo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx harness/src/cli/start.ts "$@"
