#!/usr/bin/env bash
# The logic of the GitHub Action in action.yml, kept here so that .ci/run can
# test it (scripts/test-action.sh) against `tray sandbox serve`.
#
# Deploys a connector with `tray deployment create --wait` to one or more
# regions and writes the step outputs to $GITHUB_OUTPUT:
#   deployment-id  the deployment id (several regions: "us=ID eu=ID")
#   status         the final status (several regions: "us=Deployed eu=Failed");
#                  "TimedOut" when the wait gave up, "error:KIND" when a call failed
# and exits with tray's own status (0 deployed, 1 API/network, 2 usage,
# 3 Failed, 4 gave up waiting), so the step fails when the deploy did.
#
# Inputs (environment, as GitHub passes them to the composite action):
#   INPUT_PATH (default .), INPUT_REGIONS (default us; comma-separated),
#   INPUT_TIMEOUT (default 10m), INPUT_IF_BUSY (default wait), TRAY_BIN (default tray).
# Tokens come from the environment as tray reads them: TRAY_API_TOKEN_US,
# TRAY_API_TOKEN_EU, TRAY_API_TOKEN_APAC (or TRAY_API_TOKEN for one region).
set -uo pipefail

tray=${TRAY_BIN:-tray}
path=${INPUT_PATH:-.}
regions=${INPUT_REGIONS:-us}
timeout=${INPUT_TIMEOUT:-10m}
if_busy=${INPUT_IF_BUSY:-wait}
outputs=${GITHUB_OUTPUT:-/dev/stdout}

# One line per region: REGION|ID|STATUS, whatever the JSON document's
# shape (one deployment, an error document, or the multi-region array).
filter='(if type == "array" then . else [{region: (.region // ""), deployment: (if .error then null else . end), error: .error}] end)
  | .[]
  | [ .region,
      (.deployment.id // ""),
      (if .deployment.timedOut then "TimedOut"
       elif .deployment.deploymentStatus then .deployment.deploymentStatus
       else "error:" + (.error.kind // "unknown") end)
    ]
  | join("|")'

args=()
if [[ -n "${TRAY_API_URL:-}" ]]; then
  : # a base URL (proxy, sandbox) wins over the region
else
  args+=(--region "$regions")
fi

lines=$("$tray" "${args[@]}" -o json --jq "$filter" \
  deployment create "$path" --wait --timeout "$timeout" --if-busy "$if_busy")
status=$?

ids=()
statuses=()
count=0
while IFS="|" read -r region id state; do
  [[ -z "$region$id$state" ]] && continue
  count=$((count + 1))
  if [[ -n "$region" ]]; then
    ids+=("$region=$id")
    statuses+=("$region=$state")
  else
    ids+=("$id")
    statuses+=("$state")
  fi
done <<< "$lines"

if [[ $count -eq 1 && "${ids[0]}" == *=* ]]; then
  # One region: plain values.
  ids=("${ids[0]#*=}")
  statuses=("${statuses[0]#*=}")
fi

{
  echo "deployment-id=${ids[*]:-}"
  echo "status=${statuses[*]:-}"
} >> "$outputs"

exit $status
