#!/usr/bin/env bash
# Builds the local stand-ins for the stack's pinned images without any container registry:
# Debian root filesystems from debootstrap, then Postgres (Debian's packages) and LiteLLM (PyPI wheels).
# Each tag carries a hash of its recipe, so an image is built once per machine and reused until
# its recipe or version changes. Prints the tags as KEY=VALUE lines on stdout; progress goes to stderr.
#
# Independent work runs side by side (most of it waits on the network or on dpkg): the PyPI and npm
# downloads during the first debootstrap, then every image whose inputs are there. Debian packages
# are downloaded once into the cache and shared by every debootstrap.
set -euo pipefail
# A failure inside $(...) must stop the script too.
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache="${LITELLM_STACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/litellm-stack-e2e}"
mkdir -p "$cache"
# Progress to the script's own stderr, also from the background jobs (whose output goes to their logs).
exec 3>&2
log() { echo "[images $(date +%T)] $*" >&3; }

hash_of() { cat "$@" | sha256sum | cut -c1-12; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
# $3: the Debian suite (default DEBIAN_SUITE)
debootstrap_tag() { echo "litellm-stack-e2e/$1:${3:-$DEBIAN_SUITE}-$(printf '%s %s' "$2" "$DEBIAN_MIRROR" | sha256sum | cut -c1-12)"; }

# LiteLLM with its database, as in the official litellm-database image: Prisma's Python client and
# Node (PyPI), its npm CLI (installed here, on the host) and its engines, which no registry serves:
# built from source in ../shared/prisma-engines (or $PRISMA_ENGINES_DIR; its README).
engines="${PRISMA_ENGINES_DIR:-$here/../../../../shared/prisma-engines}"
for engine in query-engine schema-engine; do
  [ -f "$engines/$engine" ] || { echo "[images] no Prisma $engine in $engines (set PRISMA_ENGINES_DIR): LiteLLM's database cannot run without it" >&2; exit 1; }
done
engines=$(cd "$engines" && pwd)

# Every tag first: they hash only the recipes, so nothing needs building to know them.
base_packages="python3,python3-venv,postgresql-${POSTGRES_MAJOR},ca-certificates"
base_tag=$(debootstrap_tag base "$base_packages")
postgres_tag="litellm-stack-e2e/postgres:${POSTGRES_MAJOR}-$(hash_of "$here/versions.env" "$here/postgres/Dockerfile" "$here/postgres/docker-entrypoint.sh")"
# The next Postgres major on the next Debian (the major version test): the same recipe.
postgres_next_packages="postgresql-${POSTGRES_NEXT_MAJOR}"
postgres_next_base=$(debootstrap_tag postgres-base "$postgres_next_packages" "$POSTGRES_NEXT_SUITE")
postgres_next_tag="litellm-stack-e2e/postgres:${POSTGRES_NEXT_MAJOR}-$(hash_of "$here/versions.env" "$here/postgres/Dockerfile" "$here/postgres/docker-entrypoint.sh")"
# Redis: Debian's redis-server, run as the `redis` user the package creates (like the official
# image's), with redis-cli for the healthcheck. Its own small root filesystem.
redis_packages="redis-server,redis-tools"
redis_tag=$(debootstrap_tag redis "$redis_packages")
# The swarm profile's load balancer: Debian's haproxy (the stack pins the official image).
haproxy_packages="haproxy"
haproxy_tag=$(debootstrap_tag haproxy "$haproxy_packages")
litellm_requirements() { echo "litellm[proxy]==$1 prisma==$PRISMA_PY_VERSION nodejs-bin==$NODEJS_BIN_VERSION"; }
litellm_tag_of() {
  echo "litellm-stack-e2e/litellm:${1}-$( (litellm_requirements "$1"; cat "$here/versions.env" "$here/litellm/Dockerfile" "$engines/query-engine" "$engines/schema-engine") | sha256sum | cut -c1-12)"
}
# The pinned one, and the one before it for the upgrade test.
litellm_tag=$(litellm_tag_of "$LITELLM_VERSION")
previous_litellm_tag=$(litellm_tag_of "$LITELLM_PREVIOUS_VERSION")
# The CI suite's remote Docker host (dockerd + sshd): Debian's docker.io, in its own root filesystem.
remote_engine_packages="docker.io,openssh-server,iptables,procps,ca-certificates"
remote_engine_base=$(debootstrap_tag remote-engine-base "$remote_engine_packages")
remote_engine_tag="litellm-stack-e2e/remote-engine:$(printf '%s' "$remote_engine_base" | cat - "$here/remote-engine/Dockerfile" "$here/remote-engine/entrypoint.sh" | sha256sum | cut -c1-12)"
# The CI suite's S3-compatible state server.
moto_requirements="moto[server]==$MOTO_VERSION"
moto_tag="litellm-stack-e2e/moto:${MOTO_VERSION}-$( (echo "$moto_requirements $base_tag"; cat "$here/moto/Dockerfile") | sha256sum | cut -c1-12)"

print_tags() {
  echo "POSTGRES_IMAGE=$postgres_tag"
  echo "POSTGRES_NEXT_IMAGE=$postgres_next_tag"
  echo "REDIS_IMAGE=$redis_tag"
  echo "LITELLM_IMAGE=$litellm_tag"
  echo "LITELLM_PREVIOUS_IMAGE=$previous_litellm_tag"
  echo "HAPROXY_IMAGE=$haproxy_tag"
  echo "REMOTE_ENGINE_IMAGE=$remote_engine_tag"
  echo "MOTO_IMAGE=$moto_tag"
}

# The usual case, every suite's first call: all built already.
all_exist=true
for tag in "$base_tag" "$postgres_tag" "$postgres_next_tag" "$redis_tag" "$haproxy_tag" "$litellm_tag" "$previous_litellm_tag" "$remote_engine_tag" "$moto_tag"; do
  image_exists "$tag" || { all_exist=false; break; }
done
if $all_exist; then print_tags; exit 0; fi

started=$(date +%s)
jobs_dir=$(mktemp -d)
trap 'rm -rf "$jobs_dir"' EXIT
debs="$cache/debs"
mkdir -p "$debs"

# A background job with its output in a log of its own; `finish` waits for it and fails with that log.
declare -A job_pids=()
spawn() {
  local name=$1
  shift
  "$@" >"$jobs_dir/$name.log" 2>&1 &
  job_pids[$name]=$!
}
finish() {
  local name status=0
  for name in "$@"; do
    wait "${job_pids[$name]}" || status=$?
    if [ "$status" -ne 0 ]; then
      log "$name failed (exit $status):"
      tail -30 "$jobs_dir/$name.log" >&2
      exit 1
    fi
  done
}

# A Debian root filesystem with the given packages, imported as an image. Its packages come from
# (and go to) the shared cache, through a copy of its own (hard links), so that two debootstraps never
# write one file.
debootstrap_image() {
  local tag=$1 packages=$2 name=$3 suite=${4:-$DEBIAN_SUITE}
  image_exists "$tag" && return 0
  log "building $tag with debootstrap ($suite: $packages)"
  local rootfs own_debs
  rootfs=$(mktemp -d)
  own_debs="$jobs_dir/debs-$name"
  mkdir -p "$own_debs"
  cp -al "$debs/." "$own_debs/"
  debootstrap --variant=minbase --cache-dir="$own_debs" --include="$packages" "$suite" "$rootfs" "$DEBIAN_MIRROR" >"$jobs_dir/debootstrap-$name.log" 2>&1 \
    || { tail -20 "$jobs_dir/debootstrap-$name.log" >&2; exit 1; }
  cp -aln "$own_debs/." "$debs/" 2>/dev/null || true
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$tag" >/dev/null
  rm -rf "$rootfs" "$own_debs"
  log "built $tag"
}

# The wheels of some Python requirements for the images' Python, downloaded once into the cache.
wheels_dir() { echo "$cache/wheels-$(echo "$1" | sha256sum | cut -c1-12)"; }
download_wheels() {
  local requirements=$1
  local wheels
  wheels=$(wheels_dir "$requirements")
  [ -f "$wheels/.complete" ] && return 0
  log "downloading wheels from PyPI: $requirements"
  rm -rf "$wheels" && mkdir -p "$wheels"
  # The image's Python is Debian 12's 3.11.2. pip download evaluates python_full_version markers
  # against the host's interpreter, so name what 3.11.2 needs beyond that explicitly (async-timeout).
  # shellcheck disable=SC2086 # the requirements are words
  python3 -m pip download -q -d "$wheels" $requirements "async-timeout>=4.0.3" \
    --python-version 3.11 --only-binary=:all: \
    --platform manylinux2010_x86_64 --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --platform linux_x86_64
  touch "$wheels/.complete"
}

prisma_cli="$cache/prisma-cli-$PRISMA_CLI_VERSION"
install_prisma_cli() {
  [ -f "$prisma_cli/.complete" ] && return 0
  log "installing the Prisma CLI $PRISMA_CLI_VERSION from npm (its engine download skipped: the engines above are used)"
  rm -rf "$prisma_cli" && mkdir -p "$prisma_cli"
  echo '{"name":"prisma-cli","private":true}' >"$prisma_cli/package.json"
  (cd "$prisma_cli" && npm install -s --ignore-scripts --no-audit --no-fund --no-package-lock "prisma@$PRISMA_CLI_VERSION")
  touch "$prisma_cli/.complete"
}

docker_build() {
  local tag=$1
  shift
  log "building $tag"
  docker build -q "$@" -t "$tag" >/dev/null
  log "built $tag"
}

build_postgres() {
  image_exists "$postgres_tag" && return 0
  docker_build "$postgres_tag" --build-arg "BASE_IMAGE=$base_tag" --build-arg "POSTGRES_MAJOR=$POSTGRES_MAJOR" "$here/postgres"
}

build_postgres_next() {
  image_exists "$postgres_next_tag" && return 0
  debootstrap_image "$postgres_next_base" "$postgres_next_packages" postgres-next "$POSTGRES_NEXT_SUITE"
  docker_build "$postgres_next_tag" --build-arg "BASE_IMAGE=$postgres_next_base" --build-arg "POSTGRES_MAJOR=$POSTGRES_NEXT_MAJOR" "$here/postgres"
}

# The LiteLLM image of one version.
build_litellm() {
  local version=$1 tag
  tag=$(litellm_tag_of "$version")
  image_exists "$tag" && return 0
  local context
  context=$(mktemp -d)
  cp "$here/litellm/Dockerfile" "$context/"
  cp -r "$(wheels_dir "$(litellm_requirements "$version")")" "$context/wheels"
  mkdir "$context/prisma-engines" "$context/prisma-cli"
  cp "$engines/query-engine" "$engines/schema-engine" "$context/prisma-engines/"
  chmod 0755 "$context/prisma-engines/"*
  cp -r "$prisma_cli/package.json" "$prisma_cli/node_modules" "$context/prisma-cli/"
  docker_build "$tag" --build-arg "BASE_IMAGE=$base_tag" --build-arg "PYTHON_REQUIREMENTS=$(litellm_requirements "$version")" "$context"
  rm -rf "$context"
}

build_remote_engine() {
  image_exists "$remote_engine_tag" && return 0
  debootstrap_image "$remote_engine_base" "$remote_engine_packages" remote-engine
  docker_build "$remote_engine_tag" --build-arg "BASE_IMAGE=$remote_engine_base" "$here/remote-engine"
}

build_moto() {
  image_exists "$moto_tag" && return 0
  local context
  context=$(mktemp -d)
  cp "$here/moto/Dockerfile" "$context/"
  cp -r "$(wheels_dir "$moto_requirements")" "$context/wheels"
  docker_build "$moto_tag" --build-arg "BASE_IMAGE=$base_tag" --build-arg "PYTHON_REQUIREMENTS=$moto_requirements" "$context"
  rm -rf "$context"
}

# 1. The downloads, while the base root filesystem (the largest package set) is made.
spawn wheels-litellm download_wheels "$(litellm_requirements "$LITELLM_VERSION")"
spawn wheels-litellm-previous download_wheels "$(litellm_requirements "$LITELLM_PREVIOUS_VERSION")"
spawn wheels-moto download_wheels "$moto_requirements"
spawn prisma-cli install_prisma_cli
debootstrap_image "$base_tag" "$base_packages" base
# 2. The other root filesystems (their common packages now in the cache) and every image on the base.
spawn redis debootstrap_image "$redis_tag" "$redis_packages" redis
spawn haproxy debootstrap_image "$haproxy_tag" "$haproxy_packages" haproxy
spawn remote-engine build_remote_engine
spawn postgres build_postgres
spawn postgres-next build_postgres_next
finish wheels-litellm wheels-litellm-previous prisma-cli
spawn litellm build_litellm "$LITELLM_VERSION"
spawn litellm-previous build_litellm "$LITELLM_PREVIOUS_VERSION"
finish wheels-moto
spawn moto build_moto
finish redis haproxy remote-engine postgres postgres-next litellm litellm-previous moto
log "all images built in $(($(date +%s) - started)) s"
print_tags
