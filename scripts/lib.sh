# Shared by scripts/demo and scripts/test: install what a fresh Debian/Ubuntu machine lacks.
# Idempotent: a second run installs nothing.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;36m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: WebKitGTK for the window, udev/libusb for devices, OpenSSL for HTTPS.
BUILD_PACKAGES=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libudev-dev libusb-1.0-0-dev curl)
# What the tests drive: a virtual display, WebKit's WebDriver, image and PDF tools, a barcode
# reader, and Chromium + ChromeDriver for the hub's admin pages.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver imagemagick poppler-utils zbar-tools)
# Chromium's package names differ: Debian ships chromium/chromium-driver, Ubuntu
# chromium-browser/chromium-chromedriver.
if grep -qs '^ID=ubuntu' /etc/os-release; then
  TEST_PACKAGES+=(chromium-browser chromium-chromedriver)
else
  TEST_PACKAGES+=(chromium chromium-driver)
fi

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    log "installing Rust (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

# The UI's build tools (Vite 7) need Node 20.19+ or 22.12+. Debian 13 and Ubuntu 24.04
# ship one; older releases (Debian 12: Node 18) get the official Node.js build, its
# checksum checked against nodejs.org's SHASUMS256.txt.
NODE_VERSION=22.12.0

node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)'
}

ensure_node() {
  node_ok && return
  install_packages nodejs npm
  node_ok && return
  install_packages curl xz-utils ca-certificates
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "no Node.js build for $(uname -m): install Node $NODE_VERSION by hand" >&2; return 1 ;;
  esac
  local name="node-v$NODE_VERSION-linux-$arch.tar.xz" tmp
  tmp="$(mktemp -d)"
  log "installing Node.js $NODE_VERSION (the distribution's is too old for Vite)"
  curl -fsSL "https://nodejs.org/dist/v$NODE_VERSION/$name" -o "$tmp/$name"
  curl -fsSL "https://nodejs.org/dist/v$NODE_VERSION/SHASUMS256.txt" -o "$tmp/SHASUMS256.txt"
  (cd "$tmp" && grep " $name\$" SHASUMS256.txt | sha256sum -c --quiet -)
  as_root tar -xJf "$tmp/$name" -C /usr/local --strip-components=1
  rm -rf "$tmp"
  hash -r
  node_ok || { echo "Node.js $NODE_VERSION did not install" >&2; return 1; }
}

build_ui() {
  log "building the UI (ui/)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
}
