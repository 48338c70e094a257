# A shell session ShellTests runs with busybox sh on Biscuit and on the host; the two outputs must
# be equal. It works in $SESSION_DIR (on Biscuit: /tmp/session) and prints no path that differs.
dir=${SESSION_DIR:-/tmp/session}
echo "session: begin"
mkdir -p "$dir/sub" && cd "$dir" || exit 1
echo one > a.txt
printf 'two\nthree\n' > b.txt
cat a.txt b.txt > c.txt
echo "listing:"
ls -1
echo "lines: $(cat c.txt | wc -l)"
sort -r c.txt | head -n 2
grep -c t c.txt
cp c.txt sub/d.txt && mv sub/d.txt sub/e.txt
ls sub
busybox echo "a program found on PATH"
false || echo "status of false: $?"
rm a.txt b.txt c.txt sub/e.txt && rmdir sub
echo "after rm: [$(ls)]"
cd / && rmdir "$dir"
[ -e "$dir" ] || echo "the session folder is gone"
echo "session: end"
