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
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver imagemagick poppler-utils zbar-tools chromium chromium-driver)

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

ensure_node() {
  if ! command -v npm >/dev/null; then
    install_packages nodejs npm
  fi
}

build_ui() {
  log "building the UI (ui/)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
}
