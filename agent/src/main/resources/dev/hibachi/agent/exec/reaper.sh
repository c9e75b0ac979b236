# Hibachi reaper: kills the agent's process groups when the agent dies.
#
# Started by ProcessGroups.startReaper() as: sh DIR/.reaper.sh DIR GRACE_SECONDS
# Its stdin is a pipe from the agent's JVM. The JVM writes nothing to it until a clean shutdown,
# when it writes "stop": the reaper then exits without killing anything. When the JVM dies any
# other way (kill -9 included), the kernel closes the pipe and `read` sees end of file: the reaper
# then sends TERM to every process group still registered in DIR (one file per pgid, named by the
# pgid), waits GRACE_SECONDS, sends KILL to those, and exits. The files are left in place: the next
# agent's killLeftovers() reads them and reports those runs as failed.

# Terminal signals aimed at the agent's foreground group must not stop the reaper first.
trap '' INT HUP QUIT PIPE

dir=$1
grace=${2:-2}

while IFS= read -r line; do
    if [ "$line" = "stop" ]; then
        exit 0
    fi
done

# End of file: the agent is gone.
signal_all() {
    sent=1
    for f in "$dir"/*; do
        pg=${f##*/}
        case $pg in
            '' | *[!0-9]*) continue ;;
        esac
        if kill -s "$1" -- "-$pg" 2>/dev/null; then
            echo "hibachi-reaper: sent $1 to process group $pg"
            sent=0
        fi
    done
    return $sent
}

echo "hibachi-reaper: agent gone, killing its process groups"
if signal_all TERM; then
    sleep "$grace"
    signal_all KILL
fi
exit 0
