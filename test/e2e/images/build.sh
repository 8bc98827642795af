#!/usr/bin/env bash
# Builds the local stand-ins for the stack's pinned images without any container registry:
# a Debian root filesystem from debootstrap, then Postgres (Debian's packages) and LiteLLM (PyPI wheels).
# Each tag carries a hash of its recipe, so an image is built once per machine and reused until
# its recipe or version changes. Prints the tags as KEY=VALUE lines on stdout; progress goes to stderr.
set -euo pipefail
# A failure inside $(...) (the LiteLLM image function) must stop the script too.
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache="${LITELLM_STACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/litellm-stack-e2e}"
mkdir -p "$cache"
log() { echo "[images] $*" >&2; }

hash_of() { cat "$@" | sha256sum | cut -c1-12; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

base_packages="python3,python3-venv,postgresql-${POSTGRES_MAJOR},ca-certificates"
base_tag="litellm-stack-e2e/base:${DEBIAN_SUITE}-$(printf '%s %s' "$base_packages" "$DEBIAN_MIRROR" | sha256sum | cut -c1-12)"
postgres_tag="litellm-stack-e2e/postgres:${POSTGRES_MAJOR}-$(hash_of "$here/versions.env" "$here/postgres/Dockerfile" "$here/postgres/docker-entrypoint.sh")"
# LiteLLM with its database, as in the official litellm-database image: Prisma's Python client and
# Node (PyPI), its npm CLI (installed here, on the host) and its engines, which no registry serves:
# built from source in ../shared/prisma-engines (or $PRISMA_ENGINES_DIR; its README).
engines="${PRISMA_ENGINES_DIR:-$here/../../../../shared/prisma-engines}"
for engine in query-engine schema-engine; do
  [ -f "$engines/$engine" ] || { echo "[images] no Prisma $engine in $engines (set PRISMA_ENGINES_DIR): LiteLLM's database cannot run without it" >&2; exit 1; }
done
engines=$(cd "$engines" && pwd)

# A Debian root filesystem with the given packages, imported as an image.
debootstrap_image() {
  local tag=$1 packages=$2
  image_exists "$tag" && return 0
  log "building $tag with debootstrap ($DEBIAN_SUITE: $packages)"
  local rootfs
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase --include="$packages" "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$tag" >/dev/null
  rm -rf "$rootfs"
}

debootstrap_image "$base_tag" "$base_packages"

# Redis: Debian's redis-server, run as the `redis` user the package creates (like the official
# image's), with redis-cli for the healthcheck. Its own small root filesystem.
redis_packages="redis-server,redis-tools"
redis_tag="litellm-stack-e2e/redis:${DEBIAN_SUITE}-$(printf '%s %s' "$redis_packages" "$DEBIAN_MIRROR" | sha256sum | cut -c1-12)"
debootstrap_image "$redis_tag" "$redis_packages"

# The swarm profile's load balancer: Debian's haproxy (the stack pins the official image).
haproxy_packages="haproxy"
haproxy_tag="litellm-stack-e2e/haproxy:${DEBIAN_SUITE}-$(printf '%s %s' "$haproxy_packages" "$DEBIAN_MIRROR" | sha256sum | cut -c1-12)"
debootstrap_image "$haproxy_tag" "$haproxy_packages"

if ! image_exists "$postgres_tag"; then
  log "building $postgres_tag"
  docker build -q --build-arg "BASE_IMAGE=$base_tag" --build-arg "POSTGRES_MAJOR=$POSTGRES_MAJOR" \
    -t "$postgres_tag" "$here/postgres" >&2
fi

# The wheels of some Python requirements for the images' Python, downloaded once into the cache;
# prints their folder.
wheels_for() {
  local requirements=$1
  local wheels
  wheels="$cache/wheels-$(echo "$requirements" | sha256sum | cut -c1-12)"
  if [ ! -f "$wheels/.complete" ]; then
    log "downloading wheels from PyPI: $requirements"
    rm -rf "$wheels" && mkdir -p "$wheels"
    # The image's Python is Debian 12's 3.11.2. pip download evaluates python_full_version markers
    # against the host's interpreter, so name what 3.11.2 needs beyond that explicitly (async-timeout).
    # shellcheck disable=SC2086 # the requirements are words
    python3 -m pip download -q -d "$wheels" $requirements "async-timeout>=4.0.3" \
      --python-version 3.11 --only-binary=:all: \
      --platform manylinux2010_x86_64 --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --platform linux_x86_64 >&2
    touch "$wheels/.complete"
  fi
  echo "$wheels"
}

# The LiteLLM image of one version (the pinned one, and the one before it for the upgrade test).
litellm_image() {
  local version=$1
  local python_requirements="litellm[proxy]==$version prisma==$PRISMA_PY_VERSION nodejs-bin==$NODEJS_BIN_VERSION"
  local litellm_tag
  litellm_tag="litellm-stack-e2e/litellm:${version}-$( (echo "$python_requirements"; cat "$here/versions.env" "$here/litellm/Dockerfile" "$engines/query-engine" "$engines/schema-engine") | sha256sum | cut -c1-12)"
  if ! image_exists "$litellm_tag"; then
    wheels=$(wheels_for "$python_requirements")
    cli="$cache/prisma-cli-$PRISMA_CLI_VERSION"
    if [ ! -f "$cli/.complete" ]; then
      log "installing the Prisma CLI $PRISMA_CLI_VERSION from npm (its engine download skipped: the engines above are used)"
      rm -rf "$cli" && mkdir -p "$cli"
      echo '{"name":"prisma-cli","private":true}' >"$cli/package.json"
      (cd "$cli" && npm install -s --ignore-scripts --no-audit --no-fund --no-package-lock "prisma@$PRISMA_CLI_VERSION") >&2
      touch "$cli/.complete"
    fi
    context=$(mktemp -d)
    cp "$here/litellm/Dockerfile" "$context/"
    cp -r "$wheels" "$context/wheels"
    mkdir "$context/prisma-engines" "$context/prisma-cli"
    cp "$engines/query-engine" "$engines/schema-engine" "$context/prisma-engines/"
    chmod 0755 "$context/prisma-engines/"*
    cp -r "$cli/package.json" "$cli/node_modules" "$context/prisma-cli/"
    log "building $litellm_tag"
    docker build -q --build-arg "BASE_IMAGE=$base_tag" --build-arg "PYTHON_REQUIREMENTS=$python_requirements" \
      -t "$litellm_tag" "$context" >&2
    rm -rf "$context"
  fi
  echo "$litellm_tag"
}

litellm_tag=$(litellm_image "$LITELLM_VERSION")
previous_litellm_tag=$(litellm_image "$LITELLM_PREVIOUS_VERSION")

# The CI suite's remote Docker host (dockerd + sshd): Debian's docker.io, in its own root filesystem.
remote_engine_packages="docker.io,openssh-server,iptables,procps,ca-certificates"
remote_engine_base="litellm-stack-e2e/remote-engine-base:${DEBIAN_SUITE}-$(printf '%s %s' "$remote_engine_packages" "$DEBIAN_MIRROR" | sha256sum | cut -c1-12)"
remote_engine_tag="litellm-stack-e2e/remote-engine:$(printf '%s' "$remote_engine_base" | cat - "$here/remote-engine/Dockerfile" "$here/remote-engine/entrypoint.sh" | sha256sum | cut -c1-12)"
if ! image_exists "$remote_engine_tag"; then
  debootstrap_image "$remote_engine_base" "$remote_engine_packages"
  log "building $remote_engine_tag"
  docker build -q --build-arg "BASE_IMAGE=$remote_engine_base" -t "$remote_engine_tag" "$here/remote-engine" >&2
fi

# The CI suite's S3-compatible state server.
moto_requirements="moto[server]==$MOTO_VERSION"
moto_tag="litellm-stack-e2e/moto:${MOTO_VERSION}-$( (echo "$moto_requirements $base_tag"; cat "$here/moto/Dockerfile") | sha256sum | cut -c1-12)"
if ! image_exists "$moto_tag"; then
  wheels=$(wheels_for "$moto_requirements")
  context=$(mktemp -d)
  cp "$here/moto/Dockerfile" "$context/"
  cp -r "$wheels" "$context/wheels"
  log "building $moto_tag"
  docker build -q --build-arg "BASE_IMAGE=$base_tag" --build-arg "PYTHON_REQUIREMENTS=$moto_requirements" -t "$moto_tag" "$context" >&2
  rm -rf "$context"
fi

echo "POSTGRES_IMAGE=$postgres_tag"
echo "REDIS_IMAGE=$redis_tag"
echo "LITELLM_IMAGE=$litellm_tag"
echo "LITELLM_PREVIOUS_IMAGE=$previous_litellm_tag"
echo "HAPROXY_IMAGE=$haproxy_tag"
echo "REMOTE_ENGINE_IMAGE=$remote_engine_tag"
echo "MOTO_IMAGE=$moto_tag"
