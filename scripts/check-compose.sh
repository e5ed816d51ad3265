#!/usr/bin/env bash
# Checks docker-compose.yml with `docker compose config`, which needs the Compose CLI plugin but no
# Docker engine. Where the docker client has no Compose plugin, the plugin is built through the Go
# module proxy into .tools/docker/cli-plugins (about 2 minutes on 2 cores) and cached per machine.
set -euo pipefail

COMPOSE_VERSION="${COMPOSE_VERSION:-v2.29.7}"
root="$(cd "$(dirname "$0")/.." && pwd)"

if ! command -v docker >/dev/null 2>&1; then
  echo "check-compose: the docker client is not installed; install it to check docker-compose.yml" >&2
  exit 1
fi

if ! docker compose version >/dev/null 2>&1; then
  export DOCKER_CONFIG="$root/.tools/docker"
  plugin="$DOCKER_CONFIG/cli-plugins/docker-compose"
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/o2c-compose/$COMPOSE_VERSION/docker-compose"
  if [[ ! -x "$plugin" ]]; then
    mkdir -p "$(dirname "$plugin")"
    if [[ ! -x "$cache" ]]; then
      echo "check-compose: building the Compose plugin $COMPOSE_VERSION with $(go version)"
      build_dir="$(mktemp -d)"
      # NOTE: Compose v5's go.mod carries exclude directives, which `go install pkg@version` rejects,
      # so the plugin stays on the v2 line.
      GOBIN="$build_dir" go install -trimpath \
        -ldflags="-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
        "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION"
      mkdir -p "$(dirname "$cache")"
      mv "$build_dir/cmd" "$cache"
      rm -rf "$build_dir"
    fi
    cp "$cache" "$plugin"
  fi
fi

docker compose -f "$root/docker-compose.yml" config --quiet
echo "check-compose: docker-compose.yml is valid ($(docker compose version --short))"
