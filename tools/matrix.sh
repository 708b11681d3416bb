#!/usr/bin/env bash
# The QGIS version matrix: run a make target inside a Debian root that carries another QGIS.
#
#   tools/matrix.sh VERSION [make target and variables...]   (default target: test)
#   tools/matrix.sh --host          the QGIS version of this machine (3.22, 3.40, 3.44)
#   tools/matrix.sh --others        the matrix versions this machine does not carry itself
#   tools/matrix.sh --ci            the one other version CI covers (3.44 on Debian 12, 3.22 on 13)
#
# VERSION is 3.22 (Debian 12 bookworm), 3.40 (Debian 13 trixie) or 3.44 (trixie-backports).
# Each root is made once with debootstrap from Debian's packages and cached in $MATRIX_CACHE
# (default /var/cache/insar-fusion/roots); the packages are the Makefile's APT_PACKAGES, passed in
# $APT_PACKAGES, installed again only when that list changes. The run happens in a private mount
# namespace (unshare), so /proc, /dev and the project's bind mount vanish with it, whatever happens.
# The project is mounted at its own path, and ../shared beside it read-only when it exists, so the
# tests find ../shared/realdata as on the host.
set -euo pipefail

CACHE=${MATRIX_CACHE:-/var/cache/insar-fusion/roots}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HERE=$(cd "$(dirname "$0")/.." && pwd)

suite_of() {
  case "$1" in
    3.22) echo bookworm ;;
    3.40) echo trixie ;;
    3.44) echo trixie-backports ;;
    *) echo "unknown QGIS version '$1': use 3.22, 3.40 or 3.44" >&2; exit 2 ;;
  esac
}

host_version() {
  local v
  v=$(dpkg-query -W -f='${Version}' qgis 2>/dev/null || true)
  if [ -z "$v" ]; then  # not installed yet: what Debian would give
    case "$(cut -d. -f1 /etc/debian_version)" in 12) echo 3.22 ;; *) echo 3.40 ;; esac
    return
  fi
  echo "$v" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'
}

case "${1:-}" in
  --host) host_version; exit 0 ;;
  --others) h=$(host_version); for v in 3.22 3.40 3.44; do [ "$v" = "$h" ] || echo "$v"; done; exit 0 ;;
  --ci) case "$(host_version)" in 3.22) echo 3.44 ;; *) echo 3.22 ;; esac; exit 0 ;;
  ""|-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
esac

VERSION=$1; shift
SUITE=$(suite_of "$VERSION")
BASE=${SUITE%-backports}
ROOT="$CACHE/qgis-$VERSION"
PACKAGES="${APT_PACKAGES:?set APT_PACKAGES (the Makefile does)} make ca-certificates"
STAMP="$ROOT/.insar-fusion-packages"
[ $# -gt 0 ] || set -- test

# Run a command inside the root, with /proc, /dev and the project mounted, in a private namespace.
in_root() {
  local shared="" script
  [ -d "$HERE/../shared" ] && shared=$(cd "$HERE/../shared" && pwd)
  script='set -e
    mount --make-rprivate /
    mount -t proc proc "$ROOT/proc"
    mount --bind /dev "$ROOT/dev"
    mount -t tmpfs -o mode=1777 shm "$ROOT/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
    mkdir -p "$ROOT$HERE"
    mount --bind "$HERE" "$ROOT$HERE"
    if [ -n "$SHARED" ]; then
      mkdir -p "$ROOT$SHARED"
      mount --bind "$SHARED" "$ROOT$SHARED"
      mount -o remount,bind,ro "$ROOT$SHARED"
    fi
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    # the host'"'"'s certificates (they may include a proxy'"'"'s), where the root'"'"'s ca-certificates cannot replace them
    cp "${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}" "$ROOT/etc/host-ca-certificates.crt"
    exec chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
      TERM=dumb DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 \
      PIP_DEFAULT_TIMEOUT=180 PIP_CERT=/etc/host-ca-certificates.crt \
      SSL_CERT_FILE=/etc/host-ca-certificates.crt REQUESTS_CA_BUNDLE=/etc/host-ca-certificates.crt \
      ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} \
      ${no_proxy:+no_proxy=$no_proxy} ${PIP_INDEX_URL:+PIP_INDEX_URL=$PIP_INDEX_URL} \
      bash -c "$0"'
  ROOT="$ROOT" HERE="$HERE" SHARED="$shared" unshare --mount --fork bash -c "$script" "$1"
}

build_root() {
  if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || {
      echo "Installing debootstrap"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
    echo "== Debian $BASE root for QGIS $VERSION in $ROOT (debootstrap, about a minute)"
    rm -rf "$ROOT.part"
    mkdir -p "$CACHE"
    debootstrap --variant=minbase "$BASE" "$ROOT.part" "$MIRROR" >"$CACHE/debootstrap-$VERSION.log" 2>&1 || {
      tail -20 "$CACHE/debootstrap-$VERSION.log"; echo "debootstrap failed" >&2; exit 1; }
    mv "$ROOT.part" "$ROOT"
  fi
  local want
  want=$(echo "$SUITE $PACKAGES" | tr ' ' '\n' | sort -u | tr '\n' ' ')
  if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    echo "== Installing QGIS $VERSION and the project's packages in the root (a few minutes)"
    local target=""
    if [ "$SUITE" != "$BASE" ]; then
      echo "deb $MIRROR $SUITE main" >"$ROOT/etc/apt/sources.list.d/backports.list"
      target="-t $SUITE"
    fi
    in_root "apt-get update -qq && apt-get install -y -qq --no-install-recommends $target $PACKAGES >/var/log/insar-fusion-apt.log 2>&1 || { tail -30 /var/log/insar-fusion-apt.log; exit 1; }"
    echo "$want" >"$STAMP"
  fi
}

build_root
got=$(in_root "dpkg-query -W -f='\${Version}' qgis")
case "$got" in
  "$VERSION".*) ;;
  *) echo "the root for QGIS $VERSION carries QGIS $got" >&2; exit 1 ;;
esac
echo "== QGIS $got (Debian $(cat "$ROOT/etc/debian_version")): make $*"
# The root's own venv, outside the project, so the host's .venv is never touched.
args=$(printf ' %q' "$@")
in_root "cd $(printf %q "$HERE") && make VENV=/opt/insar-fusion-venv$args"
