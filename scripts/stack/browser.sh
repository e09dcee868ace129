# The real browser the end-to-end email test drives: Debian's chromium package, used through
# playwright-core with executablePath (no browser download). Sourced by ./nudge.

# ensure_chromium — /usr/bin/chromium (or $CHROMIUM_PATH), installed from Debian when missing.
ensure_chromium() {
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}" log="$LOG_DIR/apt-chromium.log"
  [ -x "$path" ] && return
  [ "$(id -u)" = 0 ] || die chromium "-" "no Chromium at $path: run 'sudo apt-get install -y chromium' or set CHROMIUM_PATH"
  step chromium "installing Debian's chromium package (apt-get; first time only)"
  apt_install "$log" chromium fonts-dejavu-core ||
    die chromium "$log" "apt-get install chromium failed (apt sources reachable? dpkg locked?)"
  [ -x "$path" ] || die chromium "$log" "chromium was installed but $path does not exist: set CHROMIUM_PATH"
}
