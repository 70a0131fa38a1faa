# Shared by the BATS suites: paths, the build cache, readable assertions.

BERTH_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BERTH_BUILD=${BERTH_BUILD:-$BERTH_ROOT/build}
BI=$BERTH_BUILD/build-image
# Suites share the machine's build cache (outside the checkout), so test runs
# and CI on one machine reuse downloads and stages.
BERTH_TEST_CACHE=${BERTH_TEST_CACHE:-/var/cache/berth}

# is VALUE REGEX WHAT: fails with a message naming WHAT when VALUE does not match.
is() {
        if [[ ! $1 =~ $2 ]]; then
                echo "$3: expected /$2/, got:" >&2
                printf '%s\n' "$1" | head -40 >&2
                return 1
        fi
}

# is_not VALUE REGEX WHAT: fails with a message naming WHAT when VALUE matches
# REGEX (matched as by is: ^ and $ are the start and end of all of VALUE).
is_not() {
        if [[ $1 =~ $2 ]]; then
                echo "$3: expected no /$2/, found '${BASH_REMATCH[0]}' in:" >&2
                printf '%s\n' "$1" | head -40 >&2
                return 1
        fi
}

# ostree commands on the suite's output repository.
repo_ls() { ostree --repo="$OUT/repo" ls "$@"; }
repo_cat() { ostree --repo="$OUT/repo" cat berth/"$NAME"/x86_64 "$1"; }

# Mode of a path in the commit, as ostree ls prints it ("-00755").
commit_mode() {
        local line
        # Not a pipeline, and no errexit under run: ostree's failure is the function's.
        line=$(ostree --repo="$OUT/repo" ls berth/"$NAME"/x86_64 -d "$1") || return
        awk '{print $1}' <<<"$line"
}

# A cache that shares the downloaded packages and lists of the test cache but
# none of its stages: a cold build that needs no network.
fresh_cache_with_packages() {
        local dst=$1
        mkdir -p "$dst"
        cp -al "$BERTH_TEST_CACHE/apt" "$dst/apt"
}
