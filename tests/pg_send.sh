# pg_send.sh - what the scenarios of daemons sending from a PostgreSQL
# store share; sourced after lib.sh.
#
#   pg_send_server             start a private PostgreSQL server (skips the
#                              test where it cannot), stopped at exit;
#                              sets PG_URI and the rest of its env
#   pg_send_sink               start the SMTP sink (aiosmtpd) on a free
#                              port into $dir/mail; sets $port
#   pg_send_conf FILE NAME RATE  a configuration of daemon NAME sending
#                              RATE e-mails a second through the sink, one
#                              connection, scans an hour apart, its HTTP
#                              service on a free port ($dir/NAME/http.port)
#   pg_send_birthdays N FILE   N customers with a birthday today, as CSV
#   pg_send_sent CONF          how many messages the outbox has sent
#   pg_send_keys               the messages the sink received: sets $total
#                              and $unique (by X-Outreachd-Key)
# The caller sets $dir (a t_tmpdir) and $top (the source tree).
. "$T_PEERS_DIR/postgres.sh"

pg_send_server() {
	local bt rc
	bt=$(cd "${top_builddir:-..}" 2>/dev/null && pwd) || bt=$PWD/..
	grep -q '^#define HAVE_POSTGRESQL 1' "$bt/config.h" 2>/dev/null ||
		t_skip_all "built without PostgreSQL (configure --with-postgresql)"
	pg_start "$dir/pg" >"$dir/pg_start.log" 2>&1
	rc=$?
	[ $rc = 77 ] && t_skip_all "$(tail -1 "$dir/pg_start.log")"
	t_cleanup_push "pg_stop '$dir/pg'"
	[ $rc = 0 ] || t_bail "PostgreSQL did not start: $(tail -3 "$dir/pg_start.log")"
	. "$dir/pg/env"
}

pg_send_sink() {
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
		t_skip_all "python3-aiosmtpd not installed"
	t_bg "$dir/smtpd.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" \
	    --port 0 --portfile "$dir/port" --maildir "$dir/mail" \
	    --owner-pid $$ --quiet
	t_wait_file "$dir/port" 10
	port=$(cat "$dir/port")
	t_wait_port "$port" 10
}

pg_send_conf() { # FILE NAME RATE
	local http
	http=$(t_freeport)
	mkdir -p "$dir/$2"
	echo "$http" >"$dir/$2/http.port"
	cat >"$1" <<CONF
store = "$PG_URI";
templates = "$top/templates";
daemon: { state_dir = "$dir/$2"; scan_interval = 3600; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; batch = 100000;
  retry_base_seconds = 1; retry_max_seconds = 1; max_attempts = 50;
  claim_lease_seconds = ${CLAIM_LEASE:-3}; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "greetings@acme.example"; connections = 1;
  rate = { messages = $3; seconds = 1; }; };
http: { listen = "127.0.0.1:$http"; base_url = "http://127.0.0.1:$http"; };
CONF
}

pg_send_birthdays() { # N FILE
	/usr/bin/python3 - "$1" "$(TZ=UTC date +%F)" >"$2" <<'PY'
import sys
n, today = int(sys.argv[1]), sys.argv[2]
print("external_id,name,email,birthday,channel")
for i in range(n):
    print("K%05d,Customer %d,k%05d@example.test,1980-%s,email" % (i, i, i, today[5:]))
PY
}

pg_send_sent() { # CONF
	"$CTL" -c "$1" outbox --state sent --json 2>/dev/null |
	    /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

pg_send_keys() {
	grep -h '^X-Outreachd-Key:' "$dir"/mail/new/*.eml | sort >"$dir/keys"
	total=$(wc -l <"$dir/keys")
	unique=$(sort -u "$dir/keys" | wc -l)
}
