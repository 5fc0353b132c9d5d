#!/usr/bin/env bash
# Installs the Debian 12 packages goc needs, if any is missing.
# Sourced by scripts/examples.sh and scripts/test.sh; needs root for apt.
goc_deps=(meson ninja-build clang-14 libclang-rt-14-dev pkg-config
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
