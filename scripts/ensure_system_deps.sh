#!/usr/bin/env bash
# Installs the system programs the tests use when they are missing: Debian's chromium (the GraphiQL page test),
# PostgreSQL's server binaries (every storage test runs on PostgreSQL too), zsh (the client's zsh
# completion runs in it), and for the container tests in tests/deploy/: podman with the runc runtime,
# aardvark-dns (names between containers) and debootstrap (the local base image). Needs root for
# apt-get; without it, prints what is missing and the tests say so.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
for program in podman runc debootstrap; do
  command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ] || missing+=("$program")
done
[ -x /usr/lib/podman/aardvark-dns ] || missing+=(aardvark-dns)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
