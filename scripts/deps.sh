#!/usr/bin/env bash
# Installs the Debian 12 packages goc needs, if any is missing.
# Sourced by scripts/examples.sh and scripts/test.sh; needs root for apt.
# clang-14 builds goc and is goc-race cc's default; clang-19 (bookworm has
# 19.1.7) is only for the tests: the e2e fixtures are built by both (suite
# interpose-clang19), as is the hooks library's symbol check.
goc_deps=(meson ninja-build clang-14 libclang-rt-14-dev clang-19 pkg-config
          libcriterion-dev libunwind-dev libdw-dev libjson-c-dev)

goc_install_deps() {
	local missing=()
	local p
	for p in "${goc_deps[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
			|| missing+=("$p")
	done
	if ((${#missing[@]})); then
		echo "installing: ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}
