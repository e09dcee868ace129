# Bun and the workspace's node_modules. Sourced by ./nudge.

BUN_HOME="$NUDGE_CACHE/tools/bun"

ensure_bun() {
  if command -v bun >/dev/null && [ "$(bun --version)" = "$BUN_VERSION" ]; then return; fi
  export PATH="$BUN_HOME/node_modules/.bin:$PATH"
  [ -x "$BUN_HOME/node_modules/.bin/bun" ] && [ "$(bun --version 2>/dev/null)" = "$BUN_VERSION" ] && return
  local log="$LOG_DIR/bun-install.log"
  if ! command -v npm >/dev/null; then
    [ "$(id -u)" = 0 ] || die bun "-" "neither Bun $BUN_VERSION nor npm is installed: install Node.js + npm, or Bun itself"
    step bun "installing Node.js and npm from Debian (to fetch Bun from the npm registry)"
    with_progress "bun: apt-get" "$LOG_DIR/apt.log" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm' ||
      die bun "$LOG_DIR/apt.log" "apt-get install npm failed"
  fi
  step bun "installing Bun $BUN_VERSION from the npm registry into $BUN_HOME"
  mkdir -p "$BUN_HOME"
  # The bun package ships the native binary in a platform package; no post-install download.
  with_progress "bun: npm install" "$log" npm install --no-audit --no-fund --prefix "$BUN_HOME" "bun@$BUN_VERSION" ||
    die bun "$log" "npm could not install bun@$BUN_VERSION (npm registry reachable?)"
  [ "$(bun --version 2>/dev/null)" = "$BUN_VERSION" ] || die bun "$log" "bun $BUN_VERSION did not run after install"
}

ensure_node_modules() {
  local stamp="$NUDGE_ROOT/node_modules/.nudge-lock"
  # bun.lock records every workspace's dependencies; --frozen-lockfile refuses a stale one.
  local want; want=$(cksum <"$NUDGE_ROOT/bun.lock")
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return
  # Two ./nudge commands of one clone may start at once (.ci/run starts the cluster beside the
  # suite): one installs, the other waits for it and then finds the stamp. Two concurrent
  # installs into one node_modules failed ("Failed to install 1 package").
  mkdir -p "$NUDGE_ROOT/node_modules"
  exec {install_lock}>"$NUDGE_ROOT/node_modules/.nudge-install.lock"
  flock "$install_lock"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    step bun "installing workspace dependencies (bun install --frozen-lockfile)"
    local log="$LOG_DIR/bun-install.log"
    (cd "$NUDGE_ROOT" && bun install --frozen-lockfile) >"$log" 2>&1 || {
      flock -u "$install_lock"
      die bun "$log" "bun install failed (lockfile out of date? run 'bun install' and commit bun.lock)"
    }
    echo "$want" >"$stamp"
  fi
  flock -u "$install_lock"
  exec {install_lock}>&-
}
