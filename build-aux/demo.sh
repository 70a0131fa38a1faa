#!/bin/bash
# make demo: shows what the default recipe builds.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
"$BUILD"/build-image --check recipes/minimal.toml
