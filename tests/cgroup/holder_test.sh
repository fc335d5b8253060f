#!/bin/sh
# holder_test.sh HOLDER - packaging/systemd/cgijail-cgroup-holder on cgroup v2
# (the qemu guest), without systemd: it is started inside a fake unit
# cgroup /cgijail-test/h<pid>/fake.service, as systemd would start it in
# system.slice/cgijail.service, and must move itself into <unit>/holder and
# enable memory, pids, cpu for the unit's children.  Exit 0 pass, 1 fail,
# 77 skip (not cgroup v2 as root; with CI=true that is a failure).
set -u
holder=$1
mnt=/sys/fs/cgroup
if [ "$(id -u)" -ne 0 ] || [ ! -e "$mnt/cgroup.controllers" ]; then
	if [ "${CI:-}" = true ] && [ -n "${CGIJAIL_VM:-}" ]; then
		echo "not ok 1 - needs root on cgroup v2"; exit 1
	fi
	echo "1..0 # SKIP needs root on cgroup v2 (the qemu guest)"; exit 77
fi
top=$mnt/cgijail-test
base=$top/h$$
unit=$base/fake.service
fails=0 n=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }

mkdir -p "$unit" && echo "+memory +pids +cpu" >"$top/cgroup.subtree_control" &&
	echo "+memory +pids +cpu" >"$base/cgroup.subtree_control"
ok $? "a fake unit cgroup with memory, pids, cpu available"
# As systemd does: the main process starts in the unit's own cgroup.
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2"' sh "$unit" "$holder" &
pid=$!
i=0
while [ $i -lt 50 ] && ! grep -q "^0::/cgijail-test/h$$/fake.service/holder$" "/proc/$pid/cgroup" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
grep -q "^0::/cgijail-test/h$$/fake.service/holder$" "/proc/$pid/cgroup"
ok $? "the holder moved itself into <unit>/holder"
i=0
while [ $i -lt 50 ] && [ "$(cat "$unit/cgroup.subtree_control")" != "cpu memory pids" ]; do
	sleep 0.1; i=$((i + 1))
done
[ "$(cat "$unit/cgroup.subtree_control")" = "cpu memory pids" ]
ok $? "memory, pids and cpu enabled for the unit's children ($(cat "$unit/cgroup.subtree_control"))"
[ -z "$(cat "$unit/cgroup.procs")" ]
ok $? "no process left in the unit's own cgroup (no internal processes)"
mkdir "$unit/requests" && [ "$(cat "$unit/requests/cgroup.controllers")" = "cpu memory pids" ]
ok $? "a requests cgroup beside the holder gets memory, pids, cpu"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
rmdir "$unit/requests" "$unit/holder" "$unit" "$base"
ok $? "removed"
rmdir "$top" 2>/dev/null || true
echo "1..$n"
[ $fails -eq 0 ]
