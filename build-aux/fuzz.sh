#!/bin/bash
# Fuzzes the TOML parser with libFuzzer for FUZZ_SECONDS, seeded with the
# repository's corpus (lib/tests/toml-corpus) and the toml-test files where
# present. The inputs it keeps stay in $BUILD/fuzz/corpus, which the tomllib
# differential test (lib/tests/toml-diff.py) reads too. --tap prints one TAP
# line (used by make check).
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
TOML_TEST=${TOML_TEST:-../shared/toml-test}
tap=0
[[ ${1:-} == --tap ]] && tap=1

bin=$BUILD/fuzz/fuzz-toml
corpus=$BUILD/fuzz/corpus
make --no-print-directory -s "$bin" BUILD="$BUILD" >/dev/null || {
        echo "not ok 1 - fuzz-toml did not build"
        exit 1
}
if [[ ! -d $corpus ]]; then
        mkdir -p "$corpus"
        # The seeds are copied under names of their own: cases of different
        # folders share names.
        i=0
        while IFS= read -r -d '' f; do
                i=$((i + 1))
                cp "$f" "$corpus/seed-$i.toml"
        done < <(find lib/tests/toml-corpus ${TOML_TEST:+"$TOML_TEST"} -name '*.toml' -print0 2>/dev/null)
fi

out=$BUILD/fuzz/last-run.log
(cd "$BUILD/fuzz" && ./fuzz-toml -max_total_time="$FUZZ_SECONDS" -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 corpus) >"$out" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out")
if [[ $tap == 1 ]]; then
        echo "1..1"
        if [[ $rc -eq 0 ]]; then
                echo "ok 1 - fuzz-toml ran ${FUZZ_SECONDS}s clean (${execs:-?} inputs)"
        else
                echo "not ok 1 - fuzz-toml found a problem (see $out)"
        fi
else
        tail -20 "$out"
        echo "fuzz-toml: ${FUZZ_SECONDS}s, ${execs:-?} inputs, exit $rc"
fi
exit $rc
