#!/usr/bin/env bash
# Make the signed-configuration test captures (sgn-*.pcapng, cnf-*.pcapng) from real
# transfers on loopback, with trust lists and .sgn files built by an independent
# implementation: tlvfile and sgnfile of usecallmanagernz/certutils.
#
#   CERTUTILS=/tmp/certutils tests/generators/gen-sgn-cnf-captures.sh [CAPTURE-NAME...]
#
# CERTUTILS is a folder holding `tlvfile` and `sgnfile` that you fetched yourself (see
# test-captures/README.md, "Signed configuration captures": the commit used and how to get
# it).  This script neither fetches nor builds them; it runs them with /usr/bin/python3 (needs
# Debian's python3-cryptography).  Without CERTUTILS it only re-captures from the files already
# in test-captures/files/sgn-cnf/.
#
# Steps: the files (ITLs, SEP001122334455.cnf.xml and its .sgn) are written to
# test-captures/files/sgn-cnf/ from the fixture keys of tests/generators/fixtures/trustlist;
# then, for each capture, tftpd-hpa (in.tftpd -L) or python3 -m http.server (TCP 6970) on
# 127.0.70.1 serves them, dumpcap records lo ('net 127.0.70.0/24'), tftp-hpa or curl fetch them
# as phone 127.0.70.2 (127.0.70.3 for a second phone), a phone may then open a TCP connection
# to a CAPF port (nothing listens: the connection is refused), and dumpcap is stopped with
# SIGINT.  Runs in a private network namespace when `unshare -n` works (root).
#
# Needs (Debian): tftpd-hpa, tftp-hpa, curl, tshark (dumpcap), python3, python3-cryptography,
# iproute2, util-linux (scripts/install-deps --generators).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
fixtures=$top/tests/generators/fixtures/trustlist
files=$top/test-captures/files/sgn-cnf
out=$top/test-captures
server=127.0.70.1
phone2=127.0.70.3
unlisted=127.0.70.9
mac=001122334455
cnf=SEP$mac.cnf.xml

if [ -z "${GEN_SGN_IN_NETNS:-}" ] && [ -z "${GEN_SGN_NO_NETNS:-}" ]; then
    if unshare -n true 2>/dev/null; then
        export GEN_SGN_IN_NETNS=1
        exec unshare -n "$0" "$@"
    fi
    echo "gen-sgn-cnf-captures: unshare -n not available; using the host's loopback" >&2
fi
if [ -n "${GEN_SGN_IN_NETNS:-}" ]; then
    ip link set lo up
    ip addr add 127.0.70.2/32 dev lo
    ip addr add $phone2/32 dev lo
    ip route add local 127.0.70.0/24 dev lo src 127.0.70.2 table local
fi

work=$(mktemp -d /tmp/gen-sgn-cnf.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The configuration: capfAuthMode 2 (null string), one CAPF server 127.0.70.1:3804,
# authenticated device security mode, a TVS member and the load server.
write_cnf() {   # file [capfAuthMode]
    cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<device xsi:type="axl:XIPPhone" ctiid="1234">
  <fullConfig>true</fullConfig>
  <deviceProtocol>SIP</deviceProtocol>
  <devicePool>
    <callManagerGroup>
      <members>
        <member priority="0">
          <callManager>
            <ports><sipPort>5060</sipPort><securedSipPort>5061</securedSipPort></ports>
            <processNodeName>$server</processNodeName>
          </callManager>
        </member>
      </members>
    </callManagerGroup>
  </devicePool>
  <TVS>
    <members>
      <member priority="0">
        <port>2445</port>
        <address>$server</address>
      </member>
    </members>
  </TVS>
  <loadInformation>sip88xx.14-2-1-0101-26</loadInformation>
  <loadServer>$server</loadServer>
  <capfAuthMode>${2:-2}</capfAuthMode>
  <capfList>
    <capf>
      <phonePort>3804</phonePort>
      <processNodeName>$server</processNodeName>
    </capf>
  </capfList>
  <deviceSecurityMode>2</deviceSecurityMode>
  <certHash></certHash>
  <encrConfig>false</encrConfig>
</device>
EOF
}

build_files() {
    local t=$work/build py=/usr/bin/python3 f
    mkdir -p "$t" "$files"
    for f in tlvfile sgnfile; do
        [ -f "$CERTUTILS/$f" ] || { echo "CERTUTILS=$CERTUTILS has no $f" >&2; return 1; }
    done
    cat "$fixtures/itlrecovery.crt.pem" "$fixtures/itlrecovery.key.pem" >"$t/sast.pem"
    cat "$fixtures/tftp.crt.pem" "$fixtures/tftp.key.pem" >"$t/tftp.pem"
    cat "$fixtures/callmanager.crt.pem" "$fixtures/callmanager.key.pem" >"$t/callmanager.pem"
    # ITL with the TFTP certificate that signs the configuration, and a CAPF record
    (cd "$t" && $py "$CERTUTILS/tlvfile" --build --digest sha1 --filename ITLFile.tlv --sast sast.pem --ccm "$fixtures/callmanager.crt.pem" \
        --tftp "$fixtures/tftp.crt.pem" --capf "$fixtures/capf.crt.pem" --tvs "$fixtures/tvs.crt.pem" itl-tftp-capf.tlv)
    # ITL whose TFTP-role certificate is another one (CCM+TFTP callmanager): the signer is not in it
    (cd "$t" && $py "$CERTUTILS/tlvfile" --build --digest sha1 --filename ITLFile.tlv --sast sast.pem \
        --ccm-tftp "$fixtures/callmanager.crt.pem" --capf "$fixtures/capf.crt.pem" --tvs "$fixtures/tvs.crt.pem" \
        itl-other-tftp.tlv)
    # ITL with the signer's TFTP certificate but no CAPF record
    (cd "$t" && $py "$CERTUTILS/tlvfile" --build --digest sha1 --filename ITLFile.tlv --sast sast.pem --tftp "$fixtures/tftp.crt.pem" \
        --tvs "$fixtures/tvs.crt.pem" itl-no-capf.tlv)
    write_cnf "$t/$cnf"
    (cd "$t" && $py "$CERTUTILS/sgnfile" --build --digest sha1 --tftp tftp.pem "$cnf")
    cp "$t/$cnf.sgn" "$t/cnf-sha1.sgn"
    (cd "$t" && $py "$CERTUTILS/sgnfile" --build --digest sha512 --tftp tftp.pem "$cnf" && mv "$cnf.sgn" cnf-sha512.sgn)
    # the sha1 .sgn with one byte of its signature changed (the middle byte, XOR 0x01)
    $py - "$t/cnf-sha1.sgn" "$t/cnf-bad-signature.sgn" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
header_length = struct.unpack_from('>H', data, 8)[0]
i = 0
while i < header_length:
    tag = data[i]
    if tag == 13:
        i += 1
        continue
    length = struct.unpack_from('>H', data, i + 1)[0]
    if tag in (3, 7, 9):
        i += 3
        continue
    if tag == 12:
        data[i + 3 + length // 2] ^= 0x01
        break
    i += 3 + length
else:
    sys.exit('no signature TLV')
open(sys.argv[2], 'wb').write(data)
PY
    cp "$t/itl-tftp-capf.tlv" "$t/itl-other-tftp.tlv" "$t/itl-no-capf.tlv" "$t/cnf-sha1.sgn" "$t/cnf-sha512.sgn" \
       "$t/cnf-bad-signature.sgn" "$files/"
    cp "$t/$cnf" "$files/$cnf"
    # not XML at all, and the configuration cut after its first 600 bytes
    printf 'This is not an XML document.\n' >"$files/not-xml.cnf.xml"
    head -c 600 "$t/$cnf" >"$files/cut.cnf.xml"
    chmod 644 "$files"/*
}

# A configuration with a DTD whose entities nest ten deep (10^9 bytes if expanded), in UTF-8 and
# in UTF-16: the dissector must refuse to read it, quickly.  (Our own files: no certutils needed.)
write_entity_files() {
    mkdir -p "$files"
    /usr/bin/python3 - "$files" <<'PY'
import os, sys
ents = ''.join('<!ENTITY e%d "%s">\n' % (i, ('&e%d;' % (i - 1)) * 10 if i else 'x' * 10) for i in range(10))
doc = ('<?xml version="1.0"?>\n<!DOCTYPE device [\n' + ents + ']>\n'
       '<device><capfAuthMode>2</capfAuthMode><certHash>&e9;</certHash></device>\n')
open(os.path.join(sys.argv[1], 'entities.cnf.xml'), 'w').write(doc)
open(os.path.join(sys.argv[1], 'entities-utf16.cnf.xml'), 'wb').write(
    doc.replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>').encode('utf-16'))
PY
    chmod 644 "$files"/entities*.cnf.xml
}

serve_dir() {     # name served=source...
    local dir=$work/srv-$1 pair
    shift
    mkdir -p "$dir"
    for pair in "$@"; do cp "${pair#*=}" "$dir/${pair%%=*}"; done
    chmod 755 "$dir"
    chmod 644 "$dir"/*
    echo "$dir"
}

wait_listen() {
    local i
    for i in $(seq 100); do
        ss -H "$1" | grep -qF "$2" && return 0
        sleep 0.05
    done
    echo "server did not start listening on $2" >&2
    return 1
}

start_tftpd() { /usr/sbin/in.tftpd -L -s "$1" -a "$server:69" & tftpd_pid=$!; pids+=("$tftpd_pid"); wait_listen -lun "$server:69"; }
stop_tftpd() { pkill -P "$tftpd_pid" 2>/dev/null || true; kill "$tftpd_pid" 2>/dev/null || true; wait "$tftpd_pid" 2>/dev/null || true; }
start_http() {
    /usr/bin/python3 -m http.server 6970 --bind "$server" --directory "$1" >/dev/null 2>&1 &
    http_pid=$!; pids+=("$http_pid"); wait_listen -ltn "$server:6970"
}
stop_http() { kill "$http_pid" 2>/dev/null || true; wait "$http_pid" 2>/dev/null || true; }

start_dumpcap() {
    rm -f "$1"
    dumpcap -i lo -f 'net 127.0.70.0/24' -w "$1" -q 2>"$work/dumpcap.log" &
    dumpcap_pid=$!; pids+=("$dumpcap_pid")
    local i
    for i in $(seq 100); do [ -s "$1" ] && break; sleep 0.05; done
    [ -s "$1" ] || { cat "$work/dumpcap.log" >&2; return 1; }
    sleep 0.3
}
stop_dumpcap() { sleep 0.3; kill -INT "$dumpcap_pid"; wait "$dumpcap_pid" || true; chmod 644 "$1"; }

tftp_get() { (cd "$1" && tftp -m binary "$server" -c get "$2"); }

# A phone (source address) opens a TCP connection to a CAPF server: nothing listens, so the
# SYN is answered by a RST.
capf_connect() {   # source destination port
    /usr/bin/python3 - "$@" <<'PY'
import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
try:
    s.connect((sys.argv[2], int(sys.argv[3])))
except OSError:
    pass
s.close()
PY
}

# tftp_capture NAME CONNECTS SERVED=SOURCE... -- REMOTE...
#   CONNECTS: "" or space-separated "source,destination,port" CAPF connections made after the gets
tftp_capture() {
    local name=$1 connect=$2 serves=() dir cli remote
    shift 2
    while [ "$1" != "--" ]; do serves+=("$1"); shift; done
    shift
    dir=$(serve_dir "$name" "${serves[@]}")
    cli=$work/cli-$name; mkdir -p "$cli"
    start_tftpd "$dir"
    start_dumpcap "$out/$name.pcapng"
    for remote in "$@"; do tftp_get "$cli" "$remote"; done
    local c
    for c in $connect; do
        IFS=, read -r -a parts <<<"$c"
        capf_connect "${parts[@]}"
    done
    stop_dumpcap "$out/$name.pcapng"
    stop_tftpd
    for remote in "$@"; do cmp "$cli/$remote" "$dir/$remote"; done
}

# http_capture NAME SERVED=SOURCE... -- REMOTE...
http_capture() {
    local name=$1 serves=() dir cli remote
    shift
    while [ "$1" != "--" ]; do serves+=("$1"); shift; done
    shift
    dir=$(serve_dir "$name" "${serves[@]}")
    cli=$work/cli-$name; mkdir -p "$cli"
    start_http "$dir"
    start_dumpcap "$out/$name.pcapng"
    for remote in "$@"; do curl -sS "http://$server:6970/$remote" -o "$cli/$remote"; done
    stop_dumpcap "$out/$name.pcapng"
    stop_http
    for remote in "$@"; do cmp "$cli/$remote" "$dir/$remote"; done
}

make_one() {
    local name=$1 f=$files
    case $name in
    sgn-cnf-valid)
        tftp_capture "$name" "127.0.70.2,$server,3804" "ITLFile.tlv=$f/itl-tftp-capf.tlv" "$cnf.sgn=$f/cnf-sha1.sgn" \
            -- ITLFile.tlv "$cnf.sgn" ;;
    sgn-cnf-signer-untrusted)
        tftp_capture "$name" "" "ITLFile.tlv=$f/itl-other-tftp.tlv" "$cnf.sgn=$f/cnf-sha1.sgn" \
            -- ITLFile.tlv "$cnf.sgn" ;;
    sgn-cnf-bad-signature)
        tftp_capture "$name" "" "ITLFile.tlv=$f/itl-tftp-capf.tlv" "$cnf.sgn=$f/cnf-bad-signature.sgn" \
            -- ITLFile.tlv "$cnf.sgn" ;;
    sgn-cnf-no-trust-list)
        tftp_capture "$name" "" "$cnf.sgn=$f/cnf-sha1.sgn" -- "$cnf.sgn" ;;
    cnf-capf-not-in-itl)
        tftp_capture "$name" "" "ITLFile.tlv=$f/itl-no-capf.tlv" "$cnf.sgn=$f/cnf-sha1.sgn" \
            -- ITLFile.tlv "$cnf.sgn" ;;
    cnf-capf-server-unlisted)
        # phone .2 (its configuration lists 127.0.70.1:3804) connects to 127.0.70.9:3804;
        # phone .3, which got no configuration, connects there too (no expert for it)
        tftp_capture "$name" "127.0.70.2,$unlisted,3804 $phone2,$unlisted,3804" "ITLFile.tlv=$f/itl-tftp-capf.tlv" "$cnf.sgn=$f/cnf-sha1.sgn" \
            -- ITLFile.tlv "$cnf.sgn"
        ;;
    cnf-plain-tftp)
        tftp_capture "$name" "" "ITLFile.tlv=$f/itl-tftp-capf.tlv" "$cnf=$f/$cnf" -- ITLFile.tlv "$cnf" ;;
    cnf-plain-http)
        http_capture "$name" "ITLFile.tlv=$f/itl-tftp-capf.tlv" "$cnf=$f/$cnf" -- ITLFile.tlv "$cnf" ;;
    sgn-cnf-sha512-http)
        http_capture "$name" "ITLFile.tlv=$f/itl-tftp-capf.tlv" "$cnf.sgn=$f/cnf-sha512.sgn" -- ITLFile.tlv "$cnf.sgn" ;;
    cnf-malformed)
        tftp_capture "$name" "" "ITLFile.tlv=$f/itl-tftp-capf.tlv" "SEP001122334466.cnf.xml=$f/not-xml.cnf.xml" \
            "SEP001122334477.cnf.xml=$f/cut.cnf.xml" -- ITLFile.tlv SEP001122334466.cnf.xml SEP001122334477.cnf.xml ;;
    cnf-entities)
        tftp_capture "$name" "" "SEP001122334488.cnf.xml=$f/entities.cnf.xml" \
            "SEP001122334499.cnf.xml=$f/entities-utf16.cnf.xml" -- SEP001122334488.cnf.xml SEP001122334499.cnf.xml ;;
    *)
        echo "unknown capture: $name" >&2
        return 1 ;;
    esac
    echo "$out/$name.pcapng: $(capinfos -Tcr "$out/$name.pcapng" | cut -f2) frames"
}

if [ -n "${CERTUTILS:-}" ]; then
    build_files
else
    [ -f "$files/cnf-sha1.sgn" ] || { echo "set CERTUTILS (see the script's header)" >&2; exit 2; }
fi

write_entity_files

all=(sgn-cnf-valid sgn-cnf-signer-untrusted sgn-cnf-bad-signature sgn-cnf-no-trust-list cnf-capf-not-in-itl
     cnf-capf-server-unlisted cnf-plain-tftp cnf-plain-http sgn-cnf-sha512-http cnf-malformed cnf-entities)
[ $# -gt 0 ] && all=("$@")
for name in "${all[@]}"; do
    make_one "$name"
done
