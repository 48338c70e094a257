#!/bin/sh
# /init of the Linux bench guest (bench/linux; build.sh copies it into the initramfs).
# Two modes, chosen on the kernel command line:
#   run=PROGRAM   run the static benchmark program /bin/PROGRAM (e.g. linux-ipcbench), power off;
#                 args=A,B,... (optional) are its arguments, comma-separated (letters, digits, _ , / . -);
#                 disk=vda (optional) mounts the virtio-blk disk (Biscuit's ext3 root disk) on /disk and
#                 runs /disk/bin/PROGRAM chrooted there, so its files are on that disk; net=up
#                 (optional) first brings the network up as for nginx (netbench listens on port 80)
#   (default)     load the NIC driver, configure 10.0.2.15/24 (QEMU user networking), run nginx
#                 in the foreground; power off if it exits
# Every line it prints starts with "linux-init:" so the host can time the boot phases.
# Lean on purpose: each fork+exec is slow under TCG, so shell builtins are used where possible.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
read -r up _ < /proc/uptime; echo "linux-init: start uptime=$up"
read -r cmdline < /proc/cmdline

program= args= disk= net=
for word in $cmdline; do
    case $word in
        run=*) program=${word#run=} ;;
        args=*) args=${word#args=} ;;
        disk=vda) disk=vda ;;
        net=up) net=up ;;
    esac
done
mkfifo /tmp/.tick; exec 3<>/tmp/.tick          # 'read -t 0.02 -u 3': a sleep without a fork
# The network as nginx and netbench need it: the NIC's driver, 10.0.2.15/24 via 10.0.2.2 (QEMU user network).
network_up() {
    # The driver follows the PCI id of the NIC QEMU emulates (modules listed by build.sh).
    nic=none
    for d in /sys/bus/pci/devices/*; do
        read -r vendor < "$d/vendor"; read -r device < "$d/device"
        case "$vendor:$device" in
            0x8086:0x100e) nic=e1000 ;;
            0x8086:0x10d3) nic=e1000e ;;
        esac
    done
    echo "linux-init: nic=$nic"
    if [ -s "/etc/modules.$nic" ]; then
        while read -r m; do insmod "/lib/modules/$m" || echo "linux-init: insmod $m failed"; done < "/etc/modules.$nic"
    else
        echo "linux-init: no driver for the NIC (nic=$nic); nginx will not be reachable"
    fi
    i=0
    while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 250 ]; do read -t 0.02 -u 3 _; i=$((i + 1)); done
    [ -e /sys/class/net/eth0 ] || echo "linux-init: eth0 did not appear"

    ip link set lo up
    ip addr add 10.0.2.15/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.2
    ( while read -r c < /sys/class/net/eth0/carrier && [ "$c" != 1 ]; do read -t 0.02 -u 3 _; done
      read -r up _ < /proc/uptime; echo "linux-init: carrier up uptime=$up" ) &
}

if [ -n "$program" ]; then
    root=
    [ -z "$net" ] || network_up
    if [ -n "$disk" ]; then                     # the program and its files on the ext3 disk, as on Biscuit
        while read -r m; do insmod "/lib/modules/$m" || echo "linux-init: insmod $m failed"; done < /etc/modules.disk
        i=0
        while [ ! -b /dev/vda ] && [ $i -lt 250 ]; do read -t 0.02 -u 3 _; i=$((i + 1)); done
        mkdir -p /disk
        if mount -t ext4 /dev/vda /disk; then
            mount -t proc proc /disk/proc; mount -t devtmpfs devtmpfs /disk/dev; root=/disk
            echo "linux-init: disk /dev/vda on /disk (ext3 by the ext4 driver), the program runs chrooted there"
        else
            echo "linux-init: mount of /dev/vda failed"; program=
        fi
    fi
    case $program in
        '') ;;
        *[!a-z0-9_-]*) echo "linux-init: bad program name '$program'" ;;
        *) case $args in
               *[!a-z0-9_,/.-]*) echo "linux-init: bad program arguments '$args'" ;;
               *) if [ -x "$root/bin/$program" ]; then
                      IFS=, ; set -- $args; unset IFS
                      if [ -n "$root" ]; then chroot "$root" "/bin/$program" "$@"; else "/bin/$program" "$@"; fi
                      echo "linux-init: $program exited rc=$?"
                      [ -z "$root" ] || { umount "$root/proc" "$root/dev"; umount "$root" || echo "linux-init: umount $root failed"; }
                  else echo "linux-init: no program $root/bin/$program"; fi ;;
           esac ;;
    esac
    poweroff -f
fi

network_up
read -r up _ < /proc/uptime; echo "linux-init: nginx start uptime=$up"
/usr/sbin/nginx -c /etc/nginx/nginx.conf
echo "linux-init: nginx exited rc=$?"
poweroff -f
