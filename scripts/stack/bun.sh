# Bun and the workspace's node_modules. Sourced by ./nudge.

BUN_HOME="$NUDGE_CACHE/tools/bun"

ensure_bun() {
  if command -v bun >/dev/null && [ "$(bun --version)" = "$BUN_VERSION" ] &&
    { [ "$(command -v bun)" != "$BUN_HOME/node_modules/.bin/bun" ] || [ "$(cat "$BUN_HOME/.nudge-installed" 2>/dev/null)" = "$BUN_VERSION" ]; }; then
    return
  fi
  export PATH="$BUN_HOME/node_modules/.bin:$PATH"
  # The stamp, not the binary: a bun left by an npm install that was killed halfway may run
  # and still lack its platform package's files.
  install_once bun "$BUN_HOME/.nudge-installed" "$BUN_VERSION" install_bun
}

install_bun() {
  local log="$LOG_DIR/bun-install.log"
  if ! command -v npm >/dev/null; then
    [ "$(id -u)" = 0 ] || die bun "-" "neither Bun $BUN_VERSION nor npm is installed: install Node.js + npm, or Bun itself"
    step bun "installing Node.js and npm from Debian (to fetch Bun from the npm registry)"
    apt_install "$LOG_DIR/apt.log" npm || die bun "$LOG_DIR/apt.log" "apt-get install npm failed"
  fi
  step bun "installing Bun $BUN_VERSION from the npm registry into $BUN_HOME"
  rm -rf "$BUN_HOME" && mkdir -p "$BUN_HOME"
  # The bun package ships the native binary in a platform package; no post-install download.
  with_progress "bun: npm install" "$log" npm install --no-audit --no-fund --prefix "$BUN_HOME" "bun@$BUN_VERSION" ||
    die bun "$log" "npm could not install bun@$BUN_VERSION (npm registry reachable?)"
  [ "$(bun --version 2>/dev/null)" = "$BUN_VERSION" ] || die bun "$log" "bun $BUN_VERSION did not run after install"
}

ensure_node_modules() {
  # bun.lock records every workspace's dependencies; --frozen-lockfile refuses a stale one.
  # The lock is per clone (its node_modules), since clones may share one cache.
  local want clone
  want=$(cksum <"$NUDGE_ROOT/bun.lock")
  clone=$(printf '%s' "$NUDGE_ROOT" | sha256sum | cut -c1-12)
  install_once "node-modules-$clone" "$NUDGE_ROOT/node_modules/.nudge-lock" "$want" install_node_modules
}

install_node_modules() {
  step bun "installing workspace dependencies (bun install --frozen-lockfile)"
  local log="$LOG_DIR/bun-install.log"
  (cd "$NUDGE_ROOT" && bun install --frozen-lockfile) >"$log" 2>&1 ||
    die bun "$log" "bun install failed (lockfile out of date? run 'bun install' and commit bun.lock)"
}
