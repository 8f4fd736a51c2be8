#!/usr/bin/env bash
# Runs a command with Node >= 22 first on PATH (installing Node 24 from the npm registry when the
# machine's node is older), so `npm test` and `npm run render` work on any machine with npm.
set -euo pipefail
source "$(dirname "$0")/use-node.sh"
exec "$@"
