#!/bin/bash
# Upgrading and removing an installation keeps what the admin edited:
# `make install` twice over an edited configuration and template keeps
# both, writes the new versions beside them as .sample and says so;
# `make uninstall` leaves the edited files and removes everything else of
# ours.  And a store outreachctl creates, whatever the umask, is 0600 in
# a directory made 0700, and so are its WAL and shared-memory files.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
mode() { stat -c %a "$1"; }

# 1. make install / uninstall in a DESTDIR, from this build tree.
build=
[ -n "${top_builddir:-}" ] && [ -f "$top_builddir/Makefile" ] &&
	build=$(cd "$top_builddir" && pwd)
if [ -z "$build" ] || ! command -v make >/dev/null; then
	t_skip 14 "not run from a build tree (make check)"
else
	# A make of our own, not a job of the make check running this.
	unset MAKEFLAGS MFLAGS MAKELEVEL
	root=$dir/root
	inst() { make -s -C "$build" "$1" DESTDIR="$root" >"$dir/$1.out" 2>&1; }
	t_ok "make install into an empty DESTDIR" inst install
	etc=$(dirname "$(find "$root" -path '*/outreachd/outreachd.conf')")
	t_like "$etc" "/outreachd$" "the configuration is installed"
	t_is "$(find "$etc" -name '*.sample' | wc -l)" 0 "no .sample on a first install"
	t_is "$(ls "$etc/templates" | grep -c '\.tmpl$')" "$(ls "$top/templates" | grep -c '\.tmpl$')" \
		"every template is installed"
	printf '# edited by the admin\ncompany = "Acme";\n' >>"$etc/outreachd.conf"
	printf 'Edited by the admin.\n' >>"$etc/templates/birthday.email.tmpl"
	cp "$etc/outreachd.conf" "$dir/conf.edited"
	cp "$etc/templates/birthday.email.tmpl" "$dir/tmpl.edited"
	for pass in 2 3; do
		inst install
		t_ok "make install again (pass $pass) keeps the edited configuration" \
			cmp "$dir/conf.edited" "$etc/outreachd.conf"
		t_ok "and the edited template" cmp "$dir/tmpl.edited" "$etc/templates/birthday.email.tmpl"
	done
	t_ok "the new configuration is beside it as outreachd.conf.sample" \
		grep -q '^# Rules: event' "$etc/outreachd.conf.sample"
	t_ok "the new template as birthday.email.tmpl.sample" \
		cmp "$top/templates/birthday.email.tmpl" "$etc/templates/birthday.email.tmpl.sample"
	t_like "$(cat "$dir/install.out")" "kept the edited $etc/outreachd\\.conf; the new version is $etc/outreachd\\.conf\\.sample" \
		"make install says so"
	t_is "$(find "$etc" -name '*.sample' | wc -l)" 2 "only the edited files get a .sample"
	inst uninstall
	t_ok "make uninstall leaves the edited configuration" cmp "$dir/conf.edited" "$etc/outreachd.conf"
	t_is "$(cd "$root" && find . -type f | sort | sed 's|.*/outreachd/||')" \
		"outreachd.conf"$'\n'"templates/birthday.email.tmpl" \
		"and the edited template; nothing else of ours is left"
fi

# 2. The store outreachctl makes, under umask 022: its files' modes, so
# SQLite's only.
t_sqlite_only 8 || t_done
cat >"$dir/s.conf" <<CONF
store = "$dir/state/db/outreachd.db";
templates = "$top/templates";
http: { listen = "127.0.0.1:0"; };
CONF
(umask 022 && "$CTL" -c "$dir/s.conf" init >/dev/null)
t_is "$?" 0 "outreachctl init under umask 022"
t_is "$(mode "$dir/state") $(mode "$dir/state/db")" "700 700" "the directories it made are 0700"
t_is "$(mode "$dir/state/db/outreachd.db")" 600 "the store is 0600"
# The daemon keeps the store open: its WAL and shared memory exist.
(umask 022 && exec "$D" -c "$dir/s.conf" --foreground --log-level warning) >"$dir/d.log" 2>&1 &
pid=$!
t_cleanup_push "kill $pid 2>/dev/null"
t_ok "the daemon opens the store" t_wait_until 10 test -e "$dir/state/db/outreachd.db-shm"
t_is "$(mode "$dir/state/db/outreachd.db-wal") $(mode "$dir/state/db/outreachd.db-shm")" "600 600" \
	"its WAL and shared-memory files are 0600 too"
kill "$pid"; wait "$pid" 2>/dev/null
t_is "$(mode "$dir/state/db/outreachd.db")" 600 "still 0600"
(umask 022 && "$CTL" --db "$dir/state/db/other.db" init >/dev/null)
t_is "$(mode "$dir/state/db/other.db")" 600 "--db PATH: the same"
chmod 644 "$dir/state/db/other.db"
(umask 022 && "$CTL" --db "$dir/state/db/other.db" init >/dev/null)
t_is "$(mode "$dir/state/db/other.db")" 644 "an existing store keeps the mode the admin gave it"
t_done
