#!/usr/bin/env bash
# Installs the Temporal CLI (which carries the dev server and its Web UI) into .tools/bin/temporal.
#
# Order of preference:
#   1. TEMPORAL_CLI_PATH, when it names an executable: nothing is installed.
#   2. .tools/bin/temporal from an earlier run: nothing is installed.
#   3. A copy built earlier on this machine, kept in $XDG_CACHE_HOME/o2c-temporal (~/.cache by
#      default), so a fresh clone does not build again.
#   4. `go install` of the CLI through the Go module proxy. This is the route for machines that reach
#      package registries but not the CLI's own download site. Measured on 2 cores: about 3.5 minutes
#      with an empty Go module cache, about 2.5 minutes with the modules already downloaded.
# With internet access the Temporal SDK downloads its own dev server at start-up instead (see
# worker/temporal-server.ts), so this script is only needed where that download fails.
set -euo pipefail

CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="$root/.tools/bin"
target="$target_dir/temporal"

if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
  if [[ -x "$TEMPORAL_CLI_PATH" ]]; then
    echo "install-temporal: using TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"
    exit 0
  fi
  echo "install-temporal: TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file; unset it or fix the path" >&2
  exit 1
fi

if [[ -x "$target" ]]; then
  echo "install-temporal: already installed at $target ($("$target" --version))"
  exit 0
fi

cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/o2c-temporal/cli-$CLI_VERSION"
mkdir -p "$target_dir"
if [[ -x "$cache_dir/temporal" ]]; then
  cp "$cache_dir/temporal" "$target"
  echo "install-temporal: copied $("$target" --version) from $cache_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-temporal: Go is not installed, so the CLI cannot be built here." >&2
  echo "Install Go 1.25 or later, or set TEMPORAL_CLI_PATH to a temporal binary." >&2
  exit 1
fi

echo "install-temporal: building github.com/temporalio/cli $CLI_VERSION with $(go version); this can take a few minutes"
started=$(date +%s)
# GOTOOLCHAIN=auto lets an older Go fetch the toolchain the CLI's go.mod asks for, through the same proxy.
# NOTE: CLI releases from v1.6.0 on carry a replace directive in go.mod, which `go install pkg@version`
# rejects, so the version stays pinned to v1.5.1 (Temporal server 1.29.1) unless overridden.
GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" GOBIN="$target_dir" \
  go install -trimpath -ldflags="-s -w -X github.com/temporalio/cli/temporalcli.Version=${CLI_VERSION#v}" \
  "github.com/temporalio/cli/cmd/temporal@$CLI_VERSION"
mkdir -p "$cache_dir"
cp "$target" "$cache_dir/temporal"
echo "install-temporal: installed $("$target" --version) at $target in $(( $(date +%s) - started ))s"
