# NginxMasterTests' script (pid 1 on Biscuit): starts nginx with master_process on and two workers,
# waits until the test asks for /quit (nginx logs every request in its access log), stops nginx the
# way an administrator does (`nginx -s quit`: SIGQUIT to the master, found in the pid file), waits for
# the master and says how it ended and how many nginx processes are left.
conf=/etc/nginx/nginx-master.conf
log=/var/log/nginx/master-access.log
rm -f "$log"
/usr/sbin/nginx -c "$conf" &
master=$!
echo "master.sh: nginx master started as pid $master"
until grep -q 'GET /quit' "$log" 2>/dev/null; do sleep 1; done
echo "master.sh: /quit was asked for; nginx -s quit"
/usr/sbin/nginx -c "$conf" -s quit
wait "$master"
echo "master.sh: nginx master exited with status $?"
left=0
for status in /proc/[0-9]*/status; do
    grep -q '^Name:.nginx' "$status" 2>/dev/null && left=$((left + 1))
done
echo "master.sh: nginx processes left: $left"
