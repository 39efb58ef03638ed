#!/usr/bin/env bash
# Tests the GitHub Action's logic (scripts/tray-deploy-action.sh) against a
# fresh `tray sandbox serve`: a deploy that ends Deployed (exit 0), one that
# ends Failed (exit 3) and one that never finishes (exit 4, TimedOut), each
# with the step outputs it must write. Run by .ci/run after the build.
set -uo pipefail
cd "$(dirname "$0")/.."
tray=${TRAY_BIN:-$PWD/target/debug/tray}
work=$(mktemp -d)
server=
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$tray" sandbox serve --addr 127.0.0.1:0 --deploy-time 600ms > "$work/banner" 2> "$work/server.log" &
server=$!
for _ in $(seq 1 200); do
  grep -q '^token ' "$work/banner" 2>/dev/null && break
  sleep 0.05
done
base_url=$(sed -n 's/^base url //p' "$work/banner")
token=$(sed -n 's/^token //p' "$work/banner")
if [[ -z "$base_url" || -z "$token" ]]; then
  echo "the sandbox did not start:"; cat "$work/banner" "$work/server.log"
  echo "action script: the sandbox did not start"
  exit 1
fi
export TRAY_API_URL=$base_url TRAY_API_TOKEN=$token TRAY_BIN=$tray

# Connector projects whose names choose the sandbox's outcome.
make_project() { # NAME
  python3 - "$work/$1" "$1" <<'PY'
import json, os, sys, zipfile
folder, name = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(folder, ".tray"), exist_ok=True)
manifest = json.dumps({"name": name, "version": "1.0", "title": name})
open(os.path.join(folder, "connector.json"), "w").write(manifest)
with zipfile.ZipFile(os.path.join(folder, ".tray", "connector.zip"), "w") as z:
    z.writestr("connector.json", manifest)
    z.writestr("src/index.ts", "export {};\n")
PY
}

passed=0
failed=0
check() { # NAME EXPECTED_EXIT EXPECTED_STATUS PROJECT [TIMEOUT]
  local name=$1 want_exit=$2 want_status=$3 project=$4 timeout=${5:-30s}
  local out=$work/$name.out
  : > "$out"
  GITHUB_OUTPUT=$out INPUT_PATH=$project INPUT_TIMEOUT=$timeout \
    bash scripts/tray-deploy-action.sh 2> "$work/$name.err"
  local code=$?
  local status id
  status=$(sed -n 's/^status=//p' "$out")
  id=$(sed -n 's/^deployment-id=//p' "$out")
  if [[ $code -eq $want_exit && "$status" == "$want_status" && -n "$id" ]]; then
    echo "ok   $name: exit $code, status=$status, deployment-id=$id"
    passed=$((passed + 1))
  else
    echo "FAIL $name: exit $code (want $want_exit), status='$status' (want '$want_status'), deployment-id='$id'"
    sed 's/^/     /' "$work/$name.err"
    failed=$((failed + 1))
  fi
}

make_project fails-crm
make_project stuck-crm
check deployed 0 Deployed tests/fixtures/connectors/acme-crm
check failed 3 Failed "$work/fails-crm"
check timed-out 4 TimedOut "$work/stuck-crm" 1s

echo "action script: $passed ok, $failed failing"
[[ $failed -eq 0 ]]
