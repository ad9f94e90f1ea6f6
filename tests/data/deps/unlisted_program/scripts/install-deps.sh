#!/usr/bin/env bash
# a project whose list forgot clang-format (issue #10's fresh-machine failure)
packages=(
  cmake make gcc
)
