#!/usr/bin/env bash
# tests/fuzz/run.sh: builds the libFuzzer harnesses (clang, AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs them. See README.md.
#   tests/fuzz/run.sh [eam|data|checkpoint|extxyz|all] [seconds per target]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${FUZZ_BUILD_DIR:-$root/build-fuzz}
which=${1:-all}
secs=${2:-120}
cc=${CC:-clang}
mkdir -p "$out/obj"

common=(-std=gnu17 -g -O1 -fno-omit-frame-pointer -fopenmp -I"$root/src"
        -fsanitize=address,undefined -fno-sanitize-recover=undefined)

# The engine's sources, instrumented for coverage but without libFuzzer's main.
objs=()
for src in "$root"/src/sim/*.c; do
  obj="$out/obj/$(basename "${src%.c}").o"
  if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ]; then
    "$cc" "${common[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  fi
  objs+=("$obj")
done

for t in eam data checkpoint extxyz; do
  "$cc" "${common[@]}" -fsanitize=fuzzer "$here/fuzz-$t.c" "${objs[@]}" -lm -o "$out/fuzz-$t"
done
"$cc" "${common[@]}" "$here/make-seeds.c" "${objs[@]}" -lm -o "$out/make-seeds"

# Seeds: the small valid files the unit tests use, plus generated binary ones.
mkdir -p "$out/seeds/eam" "$out/seeds/data"
cp "$root"/tests/data/io/*.eam.* "$out/seeds/eam/"
cp "$root"/tests/data/io/*.data "$out/seeds/data/"
"$out/make-seeds" "$out/seeds"

targets=(eam data checkpoint extxyz)
[ "$which" = all ] || targets=("$which")
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t"
  echo "== fuzz-$t for ${secs}s"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
  OMP_NUM_THREADS=1 \
    nice "$out/fuzz-$t" "$out/corpus/$t" "$out/seeds/$t" \
      -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
      -artifact_prefix="$out/crash-$t-" -print_final_stats=1
done
