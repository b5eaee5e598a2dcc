#!/usr/bin/env bash
# Install and start a real Docker engine + Compose v2 on a Debian bookworm machine
# that ships only the `docker` client, and build the local base image the sample's
# Dockerfiles use (no container registry is reachable here).
#
# Idempotent: every step is skipped when already done. Run as root.
#   scripts/docker-engine.sh            # engine + compose v2 + debian:trixie-slim
#   scripts/docker-engine.sh --swarm    # the same, and a one-node swarm (also RG_SWARM=1),
#                                       # and Debian's docker-registry for the two-node swarm fixture
# Env:
#   RG_DOCKERD_LOG   dockerd log file            (default /var/log/release-gate-dockerd.log)
#   RG_BASE_IMAGES   base images to provide      (default "debian:trixie-slim")
#   RG_ENGINE_WAIT   seconds to wait for dockerd (default 30)
#   RG_SKIP_COMPOSE_V1=1  don't install the legacy docker-compose v1
#   RG_SWARM=1       make the engine a one-node swarm manager (`docker swarm init`), for the
#                    swarm driver (`stack.driver: swarm`); left as it is when already in a swarm.
#                    Also installs Debian's `docker-registry` (not started: the two-node swarm
#                    fixture, test/two-node-swarm.ts, runs its own instance with its own config and
#                    storage while its test runs). Only with --swarm: the swarm suite is its one
#                    user, and the Docker suite already requires --swarm (scripts/run-docker-tests.mjs).
#
# The two-node swarm fixture (test/two-node-swarm.ts) needs nothing else from this script: it
# builds its node image (test/fixtures/swarm-node/, FROM debian:trixie-slim, kept between runs as
# rg-swarm-node:<hash>) and runs two Docker engines in containers that form a swarm of their own.
set -euo pipefail

SWARM="${RG_SWARM:-0}"
for arg in "$@"; do
  case "$arg" in
    --swarm) SWARM=1 ;;
    *) printf '[docker-engine] ERROR: unknown option %s (allowed: --swarm)\n' "$arg" >&2; exit 2 ;;
  esac
done

DOCKERD_LOG="${RG_DOCKERD_LOG:-/var/log/release-gate-dockerd.log}"
BASE_IMAGES="${RG_BASE_IMAGES:-debian:trixie-slim}"
ENGINE_WAIT="${RG_ENGINE_WAIT:-30}"
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
TRIXIE_LIST=/etc/apt/sources.list.d/release-gate-trixie.list
TRIXIE_PIN=/etc/apt/preferences.d/release-gate-trixie

log() { printf '[docker-engine] %s\n' "$*"; }
die() { printf '[docker-engine] ERROR: %s\n' "$*" >&2; exit 1; }
T0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - T0 ))s"; }

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages and starts dockerd)"
command -v apt-get >/dev/null || die "apt-get not found: this script targets Debian"

# --- mirror URI: read from the system's apt sources, never hard-coded -------------
debian_uri() {
  local uri=""
  # deb822 sources: first stanza whose Suites has a plain codename (not -security)
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    uri=$(awk '
      BEGIN { RS=""; FS="\n" }
      {
        u=""; s=""
        for (i=1;i<=NF;i++) {
          if ($i ~ /^URIs:/)   { sub(/^URIs:[ \t]*/, "", $i); split($i, a, /[ \t]+/); u=a[1] }
          if ($i ~ /^Suites:/) { s=$i }
        }
        if (u != "" && s ~ /(bookworm|trixie)([ \t]|$)/ && u !~ /security/) { print u; exit }
      }' /etc/apt/sources.list.d/*.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 !~ /security/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
      /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || die "could not read the Debian mirror URI from /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
  printf '%s\n' "${uri%/}"
}
MIRROR=$(debian_uri)
log "Debian mirror (from apt sources): $MIRROR"

APT_UPDATED=0
apt_update() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
}
export DEBIAN_FRONTEND=noninteractive

# --- 1. what is missing (decided up front so apt-get update runs at most once) -------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
# Legacy docker-compose v1 (bookworm's 1.29.2): release-gate falls back to it when v2 is
# absent, and its Docker tests exercise that path too. RG_SKIP_COMPOSE_V1=1 leaves it out.
if [ "${RG_SKIP_COMPOSE_V1:-0}" != 1 ] && ! command -v docker-compose >/dev/null; then
  missing+=(docker-compose)
fi
# The registry the two-node swarm fixture pushes to and its nodes pull from (--swarm only).
# The package ships /usr/bin/docker-registry; no service is started (this machine has no init system,
# and the fixture runs its own instance): only the binary is wanted.
if [ "$SWARM" = 1 ] && ! command -v docker-registry >/dev/null; then
  missing+=(docker-registry)
fi
need_compose=1
docker compose version >/dev/null 2>&1 && need_compose=0

if [ "$need_compose" -eq 1 ]; then
  # Compose v2 exists only in trixie: add it with the system's own mirror, pinned low
  # so nothing else on this machine is upgraded from it.
  if [ ! -f "$TRIXIE_LIST" ]; then
    log "adding trixie source ($MIRROR) pinned at priority 100"
    echo "deb $MIRROR trixie main" > "$TRIXIE_LIST"
  fi
  if [ ! -f "$TRIXIE_PIN" ]; then
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > "$TRIXIE_PIN"
  fi
fi

# --- 2. packages: docker.io (engine 20.10) + debootstrap ----------------------------
if [ "${#missing[@]}" -gt 0 ]; then
  apt_update
  log "installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
else
  log "docker.io, debootstrap, docker-compose v1 (and docker-registry with --swarm) already installed (skip)"
fi

# --- 2b. Compose v2 plugin from trixie's docker-compose package ----------------------
if [ "$need_compose" -eq 0 ]; then
  log "compose v2 present: $(docker compose version --short 2>/dev/null) (skip)"
else
  apt_update
  tmp=$(mktemp -d)
  chown _apt "$tmp" 2>/dev/null || true   # lets apt download sandboxed as _apt (no warning)
  trap 'rm -rf "$tmp"' EXIT
  log "downloading trixie docker-compose package"
  (cd "$tmp" && apt-get download -qq -t trixie docker-compose) \
    || die "apt-get download -t trixie docker-compose failed"
  deb=$(ls "$tmp"/docker-compose_*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] || die "docker-compose .deb not found after download"
  dpkg-deb -x "$deb" "$tmp/x" || die "dpkg-deb -x $deb failed"
  src="$tmp/x/usr/libexec/docker/cli-plugins/docker-compose"
  [ -f "$src" ] || die "cli plugin not found in $deb (expected usr/libexec/docker/cli-plugins/docker-compose)"
  install -d -m 755 "$PLUGIN_DIR"
  install -m 755 "$src" "$PLUGIN_DIR/docker-compose"
  docker compose version >/dev/null 2>&1 || die "docker compose still unavailable after installing $PLUGIN_DIR/docker-compose"
  log "installed compose v2 $(docker compose version --short 2>/dev/null) into $PLUGIN_DIR"
fi

# --- 3. engine: start dockerd in the background when not reachable -------------------
if docker info >/dev/null 2>&1; then
  log "engine reachable (skip start)"
else
  log "starting dockerd (log: $DOCKERD_LOG)"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  # setsid: dockerd must outlive this script and its caller's process group.
  setsid dockerd --host unix:///var/run/docker.sock >>"$DOCKERD_LOG" 2>&1 < /dev/null &
  ok=0
  for _ in $(seq 1 $(( ENGINE_WAIT * 2 ))); do
    if docker info >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.5
  done
  if [ "$ok" -ne 1 ]; then
    tail -n 30 "$DOCKERD_LOG" >&2 || true
    die "dockerd not reachable after ${ENGINE_WAIT}s (see $DOCKERD_LOG)"
  fi
  log "engine up after $(elapsed): server $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
fi

# --- 4. base images: debootstrap minbase + docker import -----------------------------
for image in $BASE_IMAGES; do
  if docker image inspect "$image" >/dev/null 2>&1; then
    log "image $image present (skip)"
    continue
  fi
  case "$image" in
    debian:*-slim) suite="${image#debian:}"; suite="${suite%-slim}" ;;
    *) die "don't know how to build base image $image (only debian:<suite>-slim)" ;;
  esac
  rootfs=$(mktemp -d /tmp/rg-rootfs-"$suite".XXXXXX)
  log "debootstrap --variant=minbase $suite from $MIRROR (takes ~1 min)"
  if ! debootstrap --variant=minbase "$suite" "$rootfs" "$MIRROR" > "$rootfs.log" 2>&1; then
    tail -n 30 "$rootfs.log" >&2 || true
    rm -rf "$rootfs"
    die "debootstrap $suite failed (log: $rootfs.log)"
  fi
  # Like the official slim images: no apt lists or package caches in the layer.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  log "docker import $image"
  tar -C "$rootfs" -c . | docker import - "$image" >/dev/null || { rm -rf "$rootfs"; die "docker import $image failed"; }
  rm -rf "$rootfs" "$rootfs.log"
  log "built $image after $(elapsed)"
done

# --- 5. one-node swarm (RG_SWARM=1 / --swarm) -----------------------------------------
if [ "$SWARM" = 1 ]; then
  state=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)
  if [ "$state" = active ]; then
    log "swarm already active (skip): manager=$(docker info --format '{{.Swarm.ControlAvailable}}')"
  else
    # Loopback: a one-node swarm on this machine, reachable from nowhere else. Compose projects
    # are unaffected (swarm adds the ingress and docker_gwbridge networks, nothing else).
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null || die "docker swarm init failed"
    log "swarm initialised (one node, advertised on 127.0.0.1)"
  fi
fi

log "done in $(elapsed): $(docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})'), compose $(docker compose version --short)"
