#!/bin/bash
# The real Qt Wireshark under Xvfb with the plugin of a build tree: it opens a
# test capture with no error dialog, shows the CAPF decode, and its Statistics
# menu has "CAPF Enrollment", which opens the report.  Two screenshots are kept
# as artefacts (the main window with the CAPF frames, the report).
#   tests/check-gui.sh [-B BUILD_DIR] [-o ARTEFACT_DIR] [CAPTURE]
# (defaults: build, BUILD_DIR/gui-artefacts, test-captures/capf-fleet.pcapng)
# Needs the Debian packages wireshark (the Qt GUI) xvfb xauth xdotool imagemagick
# (scripts/install-deps --gui).  As root, Wireshark ignores
# WIRESHARK_PLUGIN_DIR, so the plugin and the capture are copied to a private
# folder and Wireshark runs as 'nobody' (as scripts/tshark-build does).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build out=""
while getopts B:o: opt; do
    case $opt in
    B) build=$OPTARG ;;
    o) out=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
capture=${1:-test-captures/capf-fleet.pcapng}
out=${out:-$build/gui-artefacts}
name=$(basename "$capture" .pcapng)
for p in wireshark xvfb-run xdotool import; do
    command -v $p >/dev/null || { echo "check-gui: $p missing (scripts/install-deps --gui)"; exit 2; }
done
[ -d "$build/plugins" ] || { echo "check-gui: no plugin in $build (build first)"; exit 2; }

stage=$(mktemp -d /tmp/capf-gui.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp -r "$build/plugins" "$stage/plugins"
cp "$capture" "$stage/"
mkdir "$stage/home" "$stage/out"

# Runs inside xvfb-run, as 'nobody' when root.  Prints "FAIL: ..." lines.
cat >"$stage/session.sh" <<'EOF'
#!/bin/bash
set -u
cd "$STAGE"
wireshark -r "$CAPTURE" -Y capf >out/wireshark.log 2>&1 &
pid=$!
main=""
for _ in $(seq 90); do
    main=$(xdotool search --all --onlyvisible --pid $pid --name "$NAME" 2>/dev/null | head -1)
    [ -n "$main" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 1
done
[ -n "$main" ] || { echo "FAIL: no main window for $NAME"; kill $pid 2>/dev/null; exit 0; }
xdotool windowsize $main 1280 900
sleep 4    # the capture loads and the filter is applied
# Any other visible window of Wireshark now is a dialog (an error, a warning).
others=$(xdotool search --all --onlyvisible --pid $pid --name '' 2>/dev/null | grep -vx "$main" || true)
for w in $others; do
    t=$(xdotool getwindowname $w 2>/dev/null || true)
    [ -n "$t" ] && echo "FAIL: a dialog is open: '$t'"
done
import -window root out/main-window.png
xdotool getwindowname $main >out/main-title.txt

# Statistics menu (Alt+S): plugin reports are its last entries; walk up from
# the bottom until the one that opens "CAPF Enrollment".
report=""
for k in $(seq 1 12); do
    xdotool windowactivate --sync $main 2>/dev/null; xdotool windowfocus --sync $main 2>/dev/null
    xdotool key alt+s; sleep 0.5
    for _ in $(seq $k); do xdotool key Up; done
    xdotool key Return; sleep 2
    report=$(xdotool search --all --onlyvisible --pid $pid --name 'CAPF Enrollment' 2>/dev/null | head -1)
    [ -n "$report" ] && { echo "menu: Statistics, entry $k from the bottom" >out/menu.txt; break; }
    xdotool key Escape Escape; sleep 0.3
    for w in $(xdotool search --all --onlyvisible --pid $pid --name '' 2>/dev/null | grep -vx "$main"); do
        xdotool windowclose $w 2>/dev/null || xdotool key --window $w Escape
    done
done
if [ -z "$report" ]; then
    echo "FAIL: no 'CAPF Enrollment' in the Statistics menu"
    xdotool key alt+s; sleep 1
    import -window root out/statistics-menu.png
else
    xdotool windowsize $report 900 700
    sleep 3    # the report retaps the capture
    xdotool getwindowname $report >out/report-title.txt
    import -window root out/capf-enrollment.png
fi
kill $pid 2>/dev/null
wait $pid 2>/dev/null
exit 0
EOF
chmod a+x "$stage/session.sh"
chmod -R a+rwX "$stage"
run=(env)
[ "$(id -u)" = 0 ] && run=(setpriv --reuid nobody --regid nogroup --clear-groups env)
result=$("${run[@]}" HOME="$stage/home" XDG_RUNTIME_DIR="$stage/home" TZ=UTC \
    WIRESHARK_PLUGIN_DIR="$stage/plugins" STAGE="$stage" CAPTURE="$(basename "$capture")" NAME="$name" \
    timeout 300 xvfb-run -a -s "-screen 0 1280x900x24 -nolisten tcp" "$stage/session.sh")

mkdir -p "$out"
cp "$stage"/out/* "$out/"
fail=0
[ -n "$result" ] && { echo "$result"; fail=1; }
# Wireshark's own complaints about plugins go to its log
if grep -iE "cisco-capf|couldn't load|plugin.*(error|fail)" "$out/wireshark.log"; then
    echo "FAIL: Wireshark complained about a plugin (above)"; fail=1
fi
[ -s "$out/main-title.txt" ] && echo "check-gui: main window '$(cat "$out/main-title.txt")'"
[ -s "$out/report-title.txt" ] && echo "check-gui: report window '$(cat "$out/report-title.txt")' ($(cat "$out/menu.txt"))"
echo "check-gui: screenshots in $out"
[ $fail = 0 ] && echo "check-gui: OK" || echo "check-gui: FAILED"
exit $fail
