#!/usr/bin/env bash
for f in $(find src -name '*.c'); do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "not formatted: $f"
done
