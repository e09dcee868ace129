# Python tools the tests use as independent judges (an RFC 5545 oracle, an OpenAPI fuzzer), each in
# its own virtual environment under the cache, rebuilt only when its pinned requirements change.
# Sourced by ./nudge.

# ensure_venv NAME REQUIREMENTS_FILE — $NUDGE_CACHE/venv/NAME with exactly those requirements.
ensure_venv() {
  local name=$1 req=$2
  [ -f "$req" ] || die "venv $name" "-" "no requirements file $req"
  install_once "venv-$name" "$NUDGE_CACHE/venv/$name/.requirements" "$(sha256sum "$req" | cut -c1-16)" create_venv "$name" "$req"
}

create_venv() { # NAME REQUIREMENTS_FILE
  local name=$1 req=$2 dir="$NUDGE_CACHE/venv/$1" log="$LOG_DIR/venv-$1.log"
  command -v python3 >/dev/null || die "venv $name" "-" "no python3 on PATH: apt-get install python3 python3-venv"
  step "venv $name" "installing ${req#"$NUDGE_ROOT"/} from PyPI into $dir (first time only; log: $log)"
  rm -rf "$dir"
  python3 -m venv "$dir" >"$log" 2>&1 || die "venv $name" "$log" "python3 -m venv failed: apt-get install python3-venv"
  "$dir/bin/python" -m pip install --disable-pip-version-check --cache-dir "$NUDGE_CACHE/pip/cache" -r "$req" >>"$log" 2>&1 ||
    die "venv $name" "$log" "pip install -r $req failed (PyPI reachable?)"
}
