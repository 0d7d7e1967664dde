#!/usr/bin/env bash
# Installs promtool (Debian's `prometheus` package) for the tests that check the alert rules and the dashboards'
# queries, without starting the Prometheus server the package brings. Harmless to run twice; prints promtool's path.
set -euo pipefail

if ! command -v promtool >/dev/null 2>&1; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  # The package would start its server (port 9090) on install: policy-rc.d 101 tells the maintainer scripts not to.
  policy=/usr/sbin/policy-rc.d
  created=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
    $sudo_cmd chmod +x "$policy"
    created=1
  fi
  trap '[ -n "$created" ] && $sudo_cmd rm -f "$policy"' EXIT
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

command -v promtool
