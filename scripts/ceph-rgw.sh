#!/usr/bin/env bash
# A throwaway single-node Ceph cluster with the RADOS Gateway (S3) on 127.0.0.1, for the object-storage work:
# `scripts/ceph-rgw.sh start DIR` starts a monitor, a manager, one OSD on memstore (RAM, 2 GiB or CEPH_MEMSTORE_BYTES)
# and radosgw, creates an S3 user and prints `ENDPOINT ACCESS_KEY SECRET_KEY`; `scripts/ceph-rgw.sh stop DIR` stops them.
# Needs Debian's ceph-mon ceph-osd ceph-mgr radosgw. Up in about 15 s; about 400 MB of memory, most of it the manager.
# A start that fails part-way is retried (the OSD alone, then the whole cluster), so a test run does not hinge on it.
# Known to matter (../shared/design/TESTING.md): with auth none, clients need `ms_mon_client_mode = crc secure`, or they
# hang; and the monitor address must be given as v1 explicitly. AWSSDK.S3 4.x needs RequestChecksumCalculation and
# ResponseChecksumValidation = WHEN_REQUIRED against it.
set -euo pipefail
command=$1 dir=$2
stop() {
  local pids
  pids=$(cat "$dir"/run/*.pid 2>/dev/null || true)
  [ -n "$pids" ] || return 0
  kill $pids 2>/dev/null || true
  for _ in $(seq 50); do kill -0 $pids 2>/dev/null || return 0; sleep 0.1; done
  kill -9 $pids 2>/dev/null || true
}
case $command in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

# One attempt at a whole cluster, in a subshell so that any failing step ends just this attempt (called as a plain
# command: bash ignores `set -e` inside a function called from `if` or `&&`).
start_once() (
set -e

rm -rf "$dir"; mkdir -p "$dir"/{mon,osd0,rgw,run,log}
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
mon=$(port) rgw=$(port) fsid=$(cat /proc/sys/kernel/random/uuid) osd_uuid=$(cat /proc/sys/kernel/random/uuid)
access=dp-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n') secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat > "$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr2 = false
ms_mon_client_mode = crc secure
ms_client_mode = crc secure
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = ${CEPH_MEMSTORE_BYTES:-2147483648}
osd crush chooseleaf type = 0
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
[mon.a]
mon data = $dir/mon
[osd.0]
osd data = $dir/osd0
[client.rgw]
# Without tcp_nodelay the gateway sends a response's body after its headers only once the client acknowledged them,
# which on a kept-alive connection waits out the client's delayed ACK: 40 ms on every small GET.
rgw frontends = beast endpoint=127.0.0.1:$rgw tcp_nodelay=1
rgw data = $dir/rgw
# Deleted objects' data is freed by the gateway's garbage collector, by default two hours later: in a cluster that
# lives in memory for a test run, at once.
rgw gc obj min wait = 0
rgw gc processor period = 5
CONF
c=(-c "$dir/ceph.conf")
monmaptool --create --addv a "[v1:127.0.0.1:$mon]" --fsid "$fsid" "$dir/monmap" >/dev/null
ceph-mon "${c[@]}" --mkfs -i a --monmap "$dir/monmap" 2>/dev/null
ceph-mon "${c[@]}" -i a
timeout 30 ceph "${c[@]}" -s >/dev/null
# The OSD's uuid is given to both sides: left to mkfs, the monitor sometimes refuses the OSD ("wrong fsid").
ceph "${c[@]}" osd create "$osd_uuid" 0 >/dev/null
ceph-osd "${c[@]}" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>/dev/null
# Now and then (about one start in five here) the new OSD's first commands to the monitor are refused ("wrong
# fsid") and it exits with 250 during init; started again, it joins.
for try in 1 2 3 4 5 6; do
  ceph-osd "${c[@]}" -i 0 2>/dev/null && break
  echo "Ceph RGW: the OSD did not start (try $try)" >&2
  [ $try -lt 6 ] && sleep 1
done
ceph-mgr "${c[@]}" -i x
radosgw "${c[@]}" -n client.rgw
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$rgw/" && break; sleep 0.3; done
radosgw-admin "${c[@]}" user create --uid dependency-proxy --display-name "DependencyProxy tests" \
  --access-key "$access" --secret-key "$secret" >/dev/null
# Up, or this attempt fails.
for _ in $(seq 100); do ceph "${c[@]}" osd stat 2>/dev/null | grep -q "1 up" && break; sleep 0.2; done
ceph "${c[@]}" osd stat | grep -q "1 up"
echo "http://127.0.0.1:$rgw $access $secret"
)

for attempt in 1 2 3; do
  set +e; start_once; started=$?; set -e
  [ $started -eq 0 ] && exit 0
  echo "Ceph RGW: attempt $attempt failed, starting again" >&2
  stop
done
exit 1
