#!/bin/sh
# Portpressure agent installer, served by the Portpressure API at /install.sh:
#
#   curl -fsSL http://SERVER:8080/install.sh | sudo sh -s -- --token ppe_... [--label env=prod]
#
# Downloads the self-contained agent from that same server (nothing else is contacted), checks it
# against the server's SHA256SUMS, installs it with a hardened systemd unit running as its own
# user, and starts it; the agent enrolls this host with the token on its first connection.
# Running it again upgrades in place (state and enrollment are kept); --uninstall removes
# everything it installed. Without systemd it starts the agent in the background and says how to
# run it under another supervisor.
#
# Options:
#   --token TOKEN        the installation's enrollment token (needed unless already enrolled)
#   --label KEY=VALUE    a label for this host; repeatable
#   --server URL         the API to download from and report to (default: the one serving this script)
#   --interval SECONDS   seconds between snapshots (default 10)
#   --prefix DIR         install under DIR instead of / (for tests and unusual layouts)
#   --no-start           install and configure only
#   --uninstall          stop the agent and remove what this script installed
set -eu

# The API fills this in with the URL this script was downloaded from.
PP_DEFAULT_SERVER=""

SERVICE=portpressure-agent
AGENT_USER=portpressure-agent

say() { printf 'portpressure: %s\n' "$*"; }
die() { printf 'portpressure: error: %s\n' "$*" >&2; exit 1; }

server="$PP_DEFAULT_SERVER"
token=""
labels=""
interval=""
prefix=""
start=1
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --token) [ $# -ge 2 ] || die "--token needs a value"; token="$2"; shift 2 ;;
    --label) [ $# -ge 2 ] || die "--label needs KEY=VALUE"
      case "$2" in *=*) ;; *) die "label \"$2\" must look like key=value" ;; esac
      case "$2" in *,*) die "label \"$2\" must not contain a comma" ;; esac
      labels="${labels:+$labels,}$2"; shift 2 ;;
    --server) [ $# -ge 2 ] || die "--server needs a URL"; server="$2"; shift 2 ;;
    --interval) [ $# -ge 2 ] || die "--interval needs a number"; interval="$2"; shift 2 ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix="${2%/}"; shift 2 ;;
    --no-start) start=0; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,21p' "$0" 2>/dev/null || true; exit 0 ;;
    *) die "unknown option \"$1\" (see --help)" ;;
  esac
done

case "$interval" in ''|*[!0-9]*) [ -z "$interval" ] || die "--interval must be a whole number of seconds" ;; esac
case "$token" in *[!A-Za-z0-9_.~+/=:-]*) die "the token has characters a Portpressure token never has (was it pasted whole?)" ;; esac

[ "$(id -u)" = 0 ] || die "run as root (sudo sh -s -- ...): it creates a system user and a service"

bin="$prefix/usr/local/bin/$SERVICE"
confdir="$prefix/etc/$SERVICE"
envfile="$confdir/agent.env"
tokenfile="$confdir/enrollment-token"
statedir="$prefix/var/lib/$SERVICE"
unitfile="$prefix/etc/systemd/system/$SERVICE.service"
logfile="$prefix/var/log/$SERVICE.log"
pidfile="$prefix/run/$SERVICE.pid"
manifest="$confdir/installed-by-script"

have_systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && [ -z "$prefix" ]; }

stop_agent() {
  if have_systemd && systemctl is-active --quiet "$SERVICE" 2>/dev/null; then
    systemctl stop "$SERVICE"
  fi
  if [ -f "$pidfile" ]; then
    pid="$(cat "$pidfile")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      # SIGTERM lets it flush its spool; give it 20 s.
      i=0
      while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  fi
}

if [ "$uninstall" = 1 ]; then
  stop_agent
  if have_systemd; then
    systemctl disable "$SERVICE" >/dev/null 2>&1 || true
  fi
  created_user=0
  [ -f "$manifest" ] && grep -qx 'user' "$manifest" && created_user=1
  rm -f "$bin" "$unitfile" "$logfile" "$pidfile"
  rm -rf "$confdir" "$statedir"
  have_systemd && systemctl daemon-reload || true
  if [ "$created_user" = 1 ] && id "$AGENT_USER" >/dev/null 2>&1; then
    userdel "$AGENT_USER" 2>/dev/null || say "could not remove the user $AGENT_USER; remove it with userdel"
  fi
  say "uninstalled: the agent, its service, configuration, state and user are gone"
  say "the host stays listed on the server until you delete it there"
  exit 0
fi

[ -n "$server" ] || die "no server: pass --server http://SERVER:8080"
server="${server%/}"

arch="$(uname -m)"
case "$arch" in
  x86_64|amd64) asset="portpressure-agent-linux-x64" ;;
  *) die "no self-contained agent for $arch yet; on a host with Node.js 20+ run: node portpressure-agent.cjs run --server $server (download it from $server/downloads/agent/portpressure-agent.cjs)" ;;
esac

fetch() { # URL FILE
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else die "neither curl nor wget is installed"
  fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM
say "downloading the agent from $server"
fetch "$server/downloads/agent/SHA256SUMS" "$tmp/SHA256SUMS" || die "cannot download $server/downloads/agent/SHA256SUMS (is the agent built on the server? npm run build:agent)"
fetch "$server/downloads/agent/$asset" "$tmp/$asset" || die "cannot download $server/downloads/agent/$asset"
fetch "$server/downloads/agent/$SERVICE.service" "$tmp/$SERVICE.service" || die "cannot download the systemd unit"
(cd "$tmp" && grep -E "  ($asset|$SERVICE\.service)\$" SHA256SUMS > wanted && [ "$(wc -l < wanted)" -eq 2 ] && sha256sum -c --quiet wanted) \
  || die "checksum mismatch: the download is not what the server lists in SHA256SUMS; nothing was installed"
chmod 0755 "$tmp/$asset"
new_version="$("$tmp/$asset" --version)" || die "the downloaded agent does not run on this host"

old_version=""
[ -x "$bin" ] && old_version="$("$bin" --version 2>/dev/null || echo unknown)"

# The agent's own user: no shell, no home, no login.
mkdir -p "$confdir"
if ! id "$AGENT_USER" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$AGENT_USER" \
    || die "cannot create the user $AGENT_USER"
  echo user >> "$manifest"
fi
touch "$manifest"

stop_agent
mkdir -p "$(dirname "$bin")" "$(dirname "$unitfile")" "$statedir"
# Replace the binary atomically so a running copy is never overwritten mid-file.
cp "$tmp/$asset" "$bin.new" && chmod 0755 "$bin.new" && mv -f "$bin.new" "$bin"
chown "$AGENT_USER:$AGENT_USER" "$statedir"
chmod 0700 "$statedir"

# Settings: kept across upgrades unless given again.
prev() { [ -f "$envfile" ] && sed -n "s/^$1=//p" "$envfile" | tail -n 1 || true; }
[ -n "$labels" ] || labels="$(prev PORTPRESSURE_LABELS)"
[ -n "$interval" ] || interval="$(prev PORTPRESSURE_INTERVAL_SECONDS)"
umask 077
{
  echo "# written by the Portpressure install script; run it again to change these"
  echo "PORTPRESSURE_SERVER_URL=$server"
  echo "PORTPRESSURE_STATE_DIR=$statedir"
  echo "PORTPRESSURE_ENROLLMENT_TOKEN_FILE=$tokenfile"
  [ -z "$labels" ] || echo "PORTPRESSURE_LABELS=$labels"
  [ -z "$interval" ] || echo "PORTPRESSURE_INTERVAL_SECONDS=$interval"
} > "$envfile"
if [ -n "$token" ]; then
  printf '%s\n' "$token" > "$tokenfile"
  # Readable by the agent's user only (and root).
  chown "root:$AGENT_USER" "$tokenfile"
  chmod 0640 "$tokenfile"
elif [ ! -f "$statedir/credential.json" ]; then
  die "this host is not enrolled yet: pass --token (the enrollment token shown in the UI's Add hosts panel)"
fi
umask 022

sed -e "s#@BIN@#$bin#g" -e "s#@ENVFILE@#$envfile#g" "$tmp/$SERVICE.service" > "$unitfile"
chmod 0644 "$unitfile"

if [ -n "$old_version" ]; then say "upgraded the agent in place: $old_version -> $new_version"; else say "installed the agent $new_version at $bin"; fi

if [ "$start" = 0 ]; then
  say "not started (--no-start)"
  exit 0
fi

if have_systemd; then
  systemctl daemon-reload
  systemctl enable --now "$SERVICE" >/dev/null
  systemctl restart "$SERVICE"
  how="systemctl status $SERVICE; journalctl -u $SERVICE"
else
  say "systemd is not running here: starting the agent in the background (it will not restart on failure or at boot)"
  say "to run it under your own supervisor, as user $AGENT_USER:"
  say "  env \$(grep -v '^#' $envfile | xargs) $bin run"
  mkdir -p "$(dirname "$logfile")"
  touch "$logfile"
  chown "$AGENT_USER:$AGENT_USER" "$logfile"
  mkdir -p "$(dirname "$pidfile")"
  # shellcheck disable=SC2046 # the env file holds KEY=VALUE lines without spaces
  nohup setpriv --reuid="$AGENT_USER" --regid="$AGENT_USER" --clear-groups --inh-caps=-all \
    env $(grep -v '^#' "$envfile" | xargs) "$bin" run >> "$logfile" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  how="tail $logfile"
fi

# Enrollment happens on the agent's first connection; wait for its credential to say how it went.
i=0
while [ ! -f "$statedir/credential.json" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if [ -f "$statedir/credential.json" ]; then
  rm -f "$tokenfile" # enrolled: the host's own credential replaces the shared token
  say "enrolled and running; the host appears in the fleet at $server"
else
  say "started, but not enrolled yet after 30 s; check the agent's log: $how"
  exit 1
fi
