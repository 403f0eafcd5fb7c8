#!/usr/bin/env bash
# Make the ITL/CTL test captures in test-captures/ from real transfers on loopback.
#
#   tests/generators/gen-itl-captures.sh [CAPTURE-NAME...]     (default: all; names without .pcapng)
#
# Steps: tests/generators/mk-trustlist.py --all writes the .tlv files to test-captures/files/
# (deterministic); then, for each capture, a TFTP server (in.tftpd -L, tftpd-hpa) or an
# HTTP server (python3 -m http.server, port 6970) on 127.0.20.1 serves the file(s),
# dumpcap records lo with the filter 'net 127.0.20.0/24', a client (tftp-hpa or curl)
# fetches, dumpcap is stopped with SIGINT and the server is killed.  Every capture is
# then checked: the objects tshark exports from it must equal the files served.
#
# Isolation: when `unshare -n` works (root), everything runs in a private network
# namespace whose lo has a route making 127.0.20.2 the client source address, so the
# captures show phone 127.0.20.2 <-> server 127.0.20.1 and nothing touches the host's
# network.  Otherwise it runs in the current namespace (only 127.0.20.0/24 is used; the
# client source is then 127.0.0.1).
#
# Needs (Debian): tftpd-hpa, tftp-hpa, curl, tshark (dumpcap, editcap), python3,
# python3-cryptography, iproute2, util-linux.
#
# itl-tlvfile-built.pcapng is not made from a preset: it is captured only when
# test-captures/files/itl-tlvfile-built.tlv exists (made by hand, see
# test-captures/README.md), by naming it: tests/generators/gen-itl-captures.sh itl-tlvfile-built
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
files=$top/test-captures/files
out=$top/test-captures
server=127.0.20.1
sep_name=ITLSEP001122334455.tlv

if [ -z "${GEN_ITL_IN_NETNS:-}" ] && [ -z "${GEN_ITL_NO_NETNS:-}" ]; then
    if unshare -n true 2>/dev/null; then
        export GEN_ITL_IN_NETNS=1
        exec unshare -n "$0" "$@"
    fi
    echo "gen-itl-captures: unshare -n not available; using the host's loopback (client source 127.0.0.1)" >&2
fi
if [ -n "${GEN_ITL_IN_NETNS:-}" ]; then
    ip link set lo up
    # An address other than 127.0.0.1 is needed: with only 127.0.0.1, glibc's getaddrinfo
    # (AI_ADDRCONFIG) resolves no IPv4 address and in.tftpd exits with status 66.
    ip addr add 127.0.20.2/32 dev lo
    ip route add local 127.0.20.0/24 dev lo src 127.0.20.2 table local
fi

work=$(mktemp -d /tmp/gen-itl-captures.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

/usr/bin/python3 "$top/tests/generators/mk-trustlist.py" --all -o "$files" >/dev/null

# serve_dir NAME SERVED-NAME=SOURCE-FILE... : a directory tftpd (user tftp) can read
serve_dir() {
    local dir=$work/srv-$1 pair
    shift
    mkdir -p "$dir"
    for pair in "$@"; do cp "${pair#*=}" "$dir/${pair%%=*}"; done
    chmod 755 "$dir"
    chmod 644 "$dir"/*
    echo "$dir"
}

wait_listen() {   # ss options, address:port
    local i
    for i in $(seq 100); do
        ss -H "$1" | grep -qF "$2" && return 0
        sleep 0.05
    done
    echo "server did not start listening on $2" >&2
    return 1
}

start_tftpd() {   # serve dir
    /usr/sbin/in.tftpd -L -s "$1" -a "$server:69" &
    tftpd_pid=$!
    pids+=("$tftpd_pid")
    wait_listen -lun "$server:69"
}

start_http() {    # serve dir
    /usr/bin/python3 -m http.server 6970 --bind "$server" --directory "$1" >/dev/null 2>&1 &
    http_pid=$!
    pids+=("$http_pid")
    wait_listen -ltn "$server:6970"
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# in.tftpd forks a child per request; end any child still running, then the server.
stop_tftpd() { pkill -P "$tftpd_pid" 2>/dev/null || true; stop_pid "$tftpd_pid"; }

start_dumpcap() { # output file
    rm -f "$1"
    dumpcap -i lo -f 'net 127.0.20.0/24' -w "$1" -q 2>"$work/dumpcap.log" &
    dumpcap_pid=$!
    pids+=("$dumpcap_pid")
    local i
    for i in $(seq 100); do
        [ -s "$1" ] && break
        sleep 0.05
    done
    [ -s "$1" ] || { cat "$work/dumpcap.log" >&2; echo "dumpcap did not start" >&2; return 1; }
    sleep 0.3
}

stop_dumpcap() {   # output file
    sleep 0.3
    kill -INT "$dumpcap_pid"
    wait "$dumpcap_pid" || true
    chmod 644 "$1"
}

client_dir() { local dir=$work/cli-$1; mkdir -p "$dir"; echo "$dir"; }

tftp_get() {      # client dir, remote name
    (cd "$1" && tftp -m binary "$server" -c get "$2")
}

# check_capture CAPTURE SERVED-NAME=SOURCE-FILE... : the exported objects equal the sources
check_capture() {
    local capture=$1 pair dir=$work/export-$(basename "$1" .pcapng)
    shift
    mkdir -p "$dir"
    # --disable-protocol itl: an installed plugin would claim the file, and TFTP
    # exports only files no other dissector took
    tshark -n -r "$capture" -o tftp.defragment:TRUE -q --disable-protocol itl \
        --export-objects "tftp,$dir" --export-objects "http,$dir" >/dev/null
    for pair in "$@"; do
        if ! cmp -s "$dir/${pair%%=*}" "${pair#*=}"; then
            echo "$capture: exported ${pair%%=*} differs from ${pair#*=}" >&2
            return 1
        fi
    done
}

# tftp_capture NAME SERVED-NAME=SOURCE... -- REMOTE-NAME...  : plain tftp-hpa gets
tftp_capture() {
    local name=$1 serves=() gets=() dir cli
    shift
    while [ "$1" != "--" ]; do serves+=("$1"); shift; done
    shift
    gets=("$@")
    dir=$(serve_dir "$name" "${serves[@]}")
    cli=$(client_dir "$name")
    start_tftpd "$dir"
    start_dumpcap "$out/$name.pcapng"
    local remote
    for remote in "${gets[@]}"; do tftp_get "$cli" "$remote"; done
    stop_dumpcap "$out/$name.pcapng"
    stop_tftpd
}

make_one() {
    local name=$1
    case $name in
    itl-sha1 | itl-sha512-v11 | itl-signer-v10 | itl-cucm-certhash | itl-no-capf | \
    itl-tampered | itl-cert-hash-mismatch | itl-truncated-file)
        tftp_capture "$name" "ITLFile.tlv=$files/$name.tlv" -- ITLFile.tlv
        check_capture "$out/$name.pcapng" "ITLFile.tlv=$files/$name.tlv"
        ;;
    itl-tlvfile-built)
        [ -f "$files/itl-tlvfile-built.tlv" ] || { echo "$files/itl-tlvfile-built.tlv is missing" >&2; return 1; }
        tftp_capture "$name" "ITLFile.tlv=$files/$name.tlv" -- ITLFile.tlv
        check_capture "$out/$name.pcapng" "ITLFile.tlv=$files/$name.tlv"
        ;;
    ctl)
        tftp_capture ctl "CTLFile.tlv=$files/ctl.tlv" -- CTLFile.tlv
        check_capture "$out/ctl.pcapng" "CTLFile.tlv=$files/ctl.tlv"
        ;;
    itl-single-block)
        tftp_capture "$name" "CTLFile.tlv=$files/ctl-single-block.tlv" -- CTLFile.tlv
        check_capture "$out/$name.pcapng" "CTLFile.tlv=$files/ctl-single-block.tlv"
        ;;
    itl-sep-then-file)
        # The per-device file does not exist: TFTP error 1, then the phone asks for ITLFile.tlv.
        tftp_capture "$name" "ITLFile.tlv=$files/itl-sha1.tlv" -- "$sep_name" ITLFile.tlv
        check_capture "$out/$name.pcapng" "ITLFile.tlv=$files/itl-sha1.tlv"
        ;;
    itl-sepmac-file)
        tftp_capture "$name" "$sep_name=$files/itl-sepmac.tlv" "ITLFile.tlv=$files/itl-sha1.tlv" -- "$sep_name"
        check_capture "$out/$name.pcapng" "$sep_name=$files/itl-sepmac.tlv"
        ;;
    itl-truncated)
        # A complete transfer of itl-sha1, of which only the first half of the frames is kept.
        tftp_capture "$name-full" "ITLFile.tlv=$files/itl-sha1.tlv" -- ITLFile.tlv
        local full=$out/$name-full.pcapng frames
        frames=$(capinfos -Tcr "$full" | cut -f2)
        editcap -r "$full" "$out/$name.pcapng" "1-$((frames / 2))"
        rm -f "$full"
        ;;
    itl-refetch-changed)
        # ITLFile.tlv three times from the same server: itl-sha1, then (the file replaced
        # on the server) itl-tampered, then itl-sha1 again.  A dissector that remembers
        # verification results must tell the three apart by content.
        local dir cli
        dir=$(serve_dir "$name" "ITLFile.tlv=$files/itl-sha1.tlv")
        cli=$(client_dir "$name")
        start_tftpd "$dir"
        start_dumpcap "$out/$name.pcapng"
        tftp_get "$cli" ITLFile.tlv && mv "$cli/ITLFile.tlv" "$cli/1.tlv"
        cp "$files/itl-tampered.tlv" "$dir/ITLFile.tlv"
        tftp_get "$cli" ITLFile.tlv && mv "$cli/ITLFile.tlv" "$cli/2.tlv"
        cp "$files/itl-sha1.tlv" "$dir/ITLFile.tlv"
        tftp_get "$cli" ITLFile.tlv && mv "$cli/ITLFile.tlv" "$cli/3.tlv"
        stop_dumpcap "$out/$name.pcapng"
        stop_tftpd
        cmp "$cli/1.tlv" "$files/itl-sha1.tlv"
        cmp "$cli/2.tlv" "$files/itl-tampered.tlv"
        cmp "$cli/3.tlv" "$files/itl-sha1.tlv"
        ;;
    itl-blksize)
        local dir cli
        dir=$(serve_dir "$name" "ITLFile.tlv=$files/itl-sha1.tlv")
        cli=$(client_dir "$name")
        start_tftpd "$dir"
        start_dumpcap "$out/$name.pcapng"
        curl -sS --tftp-blksize 1024 "tftp://$server/ITLFile.tlv" -o "$cli/ITLFile.tlv"
        stop_dumpcap "$out/$name.pcapng"
        stop_tftpd
        cmp "$cli/ITLFile.tlv" "$files/itl-sha1.tlv"
        check_capture "$out/$name.pcapng" "ITLFile.tlv=$files/itl-sha1.tlv"
        ;;
    itl-http6970)
        local dir cli
        dir=$(serve_dir "$name" "ITLFile.tlv=$files/itl-sha1.tlv")
        cli=$(client_dir "$name")
        start_http "$dir"
        start_dumpcap "$out/$name.pcapng"
        curl -sS "http://$server:6970/ITLFile.tlv" -o "$cli/ITLFile.tlv"
        stop_dumpcap "$out/$name.pcapng"
        stop_pid "$http_pid"
        cmp "$cli/ITLFile.tlv" "$files/itl-sha1.tlv"
        check_capture "$out/$name.pcapng" "ITLFile.tlv=$files/itl-sha1.tlv"
        ;;
    *)
        echo "unknown capture: $name" >&2
        return 1
        ;;
    esac
    echo "$out/$name.pcapng: $(capinfos -Tcr "$out/$name.pcapng" | cut -f2) frames"
}

all=(itl-sha1 itl-sha512-v11 itl-signer-v10 itl-cucm-certhash itl-no-capf ctl itl-tampered
     itl-truncated itl-blksize itl-sep-then-file itl-sepmac-file itl-http6970
     itl-cert-hash-mismatch itl-single-block itl-truncated-file itl-refetch-changed)
[ -f "$files/itl-tlvfile-built.tlv" ] && all+=(itl-tlvfile-built)

[ $# -gt 0 ] && all=("$@")
for name in "${all[@]}"; do
    make_one "$name"
done
