#!/usr/bin/env bash
# Installs the system packages a Makefile target needs, only those missing: Debian's packages
# with apt-get (sudo when not root), JupyterHub's proxy with npm.
#   demo  bubblewrap (autograding runs each submission in a sandbox)
#   hub   bubblewrap, nodejs/npm and configurable-http-proxy
#   test  all of the above, plus chromium and fonts-noto-cjk (browser tests) and postgresql
#         (a throwaway server holds a gradebook in one test)
set -euo pipefail
what=${1:-test}
case "$what" in demo|hub|test) ;; *) echo "用法：$0 demo|hub|test" >&2; exit 2 ;; esac

installed() { dpkg -s "$1" >/dev/null 2>&1; }
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ "$what" != demo ] && ! command -v configurable-http-proxy >/dev/null 2>&1 \
    && ! command -v npm >/dev/null 2>&1; then
  need+=(nodejs npm)
fi
if [ "$what" = test ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  installed fonts-noto-cjk || need+=(fonts-noto-cjk)
  installed postgresql || need+=(postgresql)
fi

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "缺少系统软件包：${need[*]}。本机没有 apt-get，请用系统自己的包管理器安装后再运行 make $what。" >&2
    exit 1
  fi
  echo "== 安装系统软件包：${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if [ "$what" != demo ] && ! command -v configurable-http-proxy >/dev/null 2>&1; then
  echo "== 安装 configurable-http-proxy（npm）"
  $SUDO npm install -g --silent configurable-http-proxy
fi
