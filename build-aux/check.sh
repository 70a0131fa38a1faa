#!/bin/bash
# Runs the tests of berth and sums their TAP streams into one line:
#   N passed, N failed
# Streams, by group (no argument: all of them; `make check-unit` etc. name one):
#   unit    C unit tests, and under valgrind
#   toml    the toml-test suite (where present), the differential test against
#           Python's tomllib, a short fuzzing pass
#   format  the formatting check
#   bats    the lint of the BATS files, then the BATS suites
set -uo pipefail
cd "$(dirname "$0")/.."

# The Makefile passes BUILD (build/sanitize under SANITIZE=1).
BUILD=${BUILD:-build}
# The toml-test suite sits beside the checkout (../shared/toml-test); a clone
# of a local checkout finds it beside the checkout it was cloned from.
toml_test_dir() {
        local origin
        [[ -d ../shared/toml-test ]] && { echo ../shared/toml-test; return; }
        origin=$(git config --get remote.origin.url 2>/dev/null || true)
        [[ $origin == /* && -d $origin/../shared/toml-test ]] && { echo "$origin/../shared/toml-test"; return; }
        echo ../shared/toml-test
}
export TOML_TEST=${TOML_TEST:-$(toml_test_dir)}
FUZZ_CHECK_SECONDS=${FUZZ_CHECK_SECONDS:-30}
export BERTH_BUILD=$PWD/$BUILD
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A test stream is any command printing TAP; its lines are echoed and kept.
stream() {
        local name=$1 out rc
        shift
        out=$(mktemp)
        echo "# ---- $name ----" | tee -a "$log"
        "$@" 2>&1 | tee "$out"
        rc=${PIPESTATUS[0]}
        cat "$out" >>"$log"
        # A stream that fails without saying which test failed still counts once.
        if [[ $rc -ne 0 ]] && ! grep -q '^not ok' "$out"; then
                echo "not ok - $name exited with status $rc" | tee -a "$log"
        fi
        rm -f "$out"
}

unit_tests() {
        for t in "$BUILD"/tests/test-*; do
                [[ -x $t ]] || continue
                stream "$(basename "$t")" "$t"
        done
}

valgrind_tests() {
        [[ ${SANITIZE:-0} == 1 ]] && return # ASan and valgrind don't mix
        local i=0 t
        echo "# ---- valgrind ----" | tee -a "$log"
        for t in "$BUILD"/tests/test-*; do
                i=$((i + 1))
                if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
                        --suppressions=build-aux/valgrind.supp --error-exitcode=99 "$t" \
                        >/dev/null 2>"$BUILD/valgrind-$(basename "$t").log"; then
                        echo "ok $i - valgrind $(basename "$t")" | tee -a "$log"
                else
                        echo "not ok $i - valgrind $(basename "$t") (see $BUILD/valgrind-$(basename "$t").log)" |
                                tee -a "$log"
                fi
        done
}

# The toml-test suite lives outside the repository: run where present (CI
# has it), skipped elsewhere; toml_diff below runs everywhere.
toml_test() {
        if [[ ! -d $TOML_TEST ]]; then
                echo "# toml-test suite not found at $TOML_TEST: skipped" | tee -a "$log"
                return
        fi
        stream toml-test python3 lib/tests/toml-test.py "$BUILD/tests/toml-decode" "$TOML_TEST"
}

# The parser against Python's tomllib over the repository's corpus (a line
# per case) and the inputs the fuzzer kept (one line, and one per disagreement).
toml_diff() {
        local dirs=(lib/tests/toml-corpus)
        [[ -d $BUILD/fuzz/corpus ]] && dirs+=(--summary "$BUILD/fuzz/corpus")
        stream toml-diff python3 lib/tests/toml-diff.py "$BUILD/tests/toml-decode" "${dirs[@]}"
}

fuzz_pass() {
        [[ ${SANITIZE:-0} == 1 ]] && return
        stream fuzz-toml env FUZZ_SECONDS="$FUZZ_CHECK_SECONDS" BUILD="$BUILD" build-aux/fuzz.sh --tap
}

format_check() {
        echo "# ---- format ----" | tee -a "$log"
        if make --no-print-directory -s check-format >/dev/null 2>"$BUILD/format.log"; then
                echo "ok 1 - sources match .clang-format" | tee -a "$log"
        else
                echo "not ok 1 - sources differ from .clang-format (make format; see $BUILD/format.log)" |
                        tee -a "$log"
        fi
}

bats_suites() {
        [[ ${SANITIZE:-0} == 1 ]] && return
        local suites=(builder/tests/*.bats init/tests/*.bats qemu-tests/[0-9]*.bats)
        local s
        for s in "${suites[@]}"; do
                [[ -f $s ]] || continue
                stream "$s" bats --tap "$s"
        done
}

# No BATS file (nor a helper it loads) may hold an assertion that cannot fail
# (docs/testing.md). The lint is tested first: of its bad sample it must
# report exactly the lines marked "# rejected", of its good sample none.
bats_lint() {
        local lint=build-aux/bats-lint.py samples=build-aux/bats-lint-samples
        local i=1 f files want got found
        echo "# ---- bats-lint ----" | tee -a "$log"
        want=$(grep -n '# rejected$' "$samples/bad.sample" | cut -d: -f1 | tr '\n' ' ')
        got=$(python3 "$lint" "$samples/bad.sample" | cut -d: -f2 | tr '\n' ' ')
        if [[ -n $want && $got == "$want" ]]; then
                echo "ok $i - bats-lint rejects each marked line of $samples/bad.sample"
        else
                echo "not ok $i - bats-lint rejects lines ${got:-none} of $samples/bad.sample, not the marked ${want:-none}"
        fi | tee -a "$log"
        mapfile -t files < <(find . -name .git -prune -o \( -name '*.bats' -o -name '*.bash' \) -print | sort)
        for f in "$samples/good.sample" "${files[@]#./}"; do
                i=$((i + 1))
                if found=$(python3 "$lint" "$f" 2>&1); then
                        echo "ok $i - bats-lint $f"
                else
                        echo "not ok $i - bats-lint $f"
                        sed 's/^/# /' <<<"$found"
                fi | tee -a "$log"
        done
}

groups=("$@")
[[ ${#groups[@]} -gt 0 ]] || groups=(unit toml format bats)
for group in "${groups[@]}"; do
        case $group in
        unit)
                unit_tests
                valgrind_tests
                ;;
        toml)
                toml_test
                fuzz_pass
                toml_diff
                ;;
        format) format_check ;;
        bats)
                bats_lint
                bats_suites
                ;;
        *)
                echo "check.sh: unknown group '$group' (unit, toml, format, bats)" >&2
                exit 2
                ;;
        esac
done

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok' "$log")
echo
grep '^# toml-test:' "$log" || true
grep '^not ok' "$log" | sed 's/^/FAILED: /' || true
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
