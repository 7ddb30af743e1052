#!/usr/bin/env bash
# bench/certify: wall time and peak memory of `mhla certify` and `mhla verify` on rank-deficient
# data (repeated rows, tokens in a subspace, DFA traces with --domain) beside the full-rank case,
# in one run (issue 10 item 7). Usage: bash bench/certify/run.sh [MHLA_BINARY] > results.md
# Every run is capped at 6 GB of virtual memory (ulimit -v) so it cannot take the machine down.
set -u
M=${1:-build/release/mhla}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "| dataset | d | samples | certify s | certify MB | certificate KB | verify s | verify MB | verdict |"
echo "|---|---|---|---|---|---|---|---|---|"
measure() {  # name d file [extra certify/verify args...]
  local name=$1 d=$2 f=$3; shift 3
  local rows; rows=$(python3 -c "import json;x=json.load(open('$f'));print(sum(len(s.get('targets',[1])) if 'targets' in s else 1 for s in x['samples']))")
  local c v st
  c=$( (ulimit -v 6000000; /usr/bin/time -f "%e %M" "$M" --quiet certify --dataset "$f" --no-lambda-min "$@" -o "$W/c.json") 2>&1 >/dev/null | tail -1)
  v=$( (ulimit -v 6000000; /usr/bin/time -f "%e %M" "$M" --quiet verify --dataset "$f" --certificate "$W/c.json" "$@") 2>&1 >/dev/null | tail -1)
  st=$("$M" --quiet verify --dataset "$f" --certificate "$W/c.json" "$@" 2>/dev/null | head -c 40)
  local kb; kb=$(( $(stat -c %s "$W/c.json" 2>/dev/null || echo 0) / 1024 ))
  set -- $c; local cs=$1 cm=$(( ${2:-0} / 1024 ))
  set -- $v; local vs=$1 vm=$(( ${2:-0} / 1024 ))
  echo "| $name | $d | $rows | $cs | $cm | $kb | $vs | $vm | $st |"
}
for d in 8 12 16 24; do
  "$M" --quiet generate random --d $d --tokens 4 --samples 4 --seed 1 -o "$W/r.json"
  python3 -c "import json;x=json.load(open('$W/r.json'));x['samples']+=x['samples'];json.dump(x,open('$W/rep$d.json','w'))"
  measure "4 samples listed twice" $d "$W/rep$d.json"
  # Tokens in a 3-dimensional subspace (coordinates 3.. zero), many samples: rank < D however many.
  "$M" --quiet generate random --d $d --tokens 4 --samples $((3 * d)) --seed 2 -o "$W/s.json"
  python3 -c "
import json;x=json.load(open('$W/s.json'))
for s in x['samples']:
  for r in range(3, len(s['Z'])): s['Z'][r]=[0]*len(s['Z'][r])
json.dump(x,open('$W/sub$d.json','w'))"
  measure "tokens in a 3-dim subspace, 3d samples" $d "$W/sub$d.json"
done
for sal in "2 2 1" "2 2 2" "3 2 2" "2 3 2" "3 3 2"; do
  set -- $sal
  "$M" --quiet generate dfa --states $1 --alphabet $2 --length $3 --samples all --seed 7 --dfa-out "$W/m.dfa.json" -o "$W/dom.json"
  d=$(python3 -c "import json;print(json.load(open('$W/dom.json'))['d'])")
  for N in 2 8; do
    "$M" --quiet generate dfa --dfa "$W/m.dfa.json" --length $3 --samples $N --seed 3 -o "$W/t.json"
    measure "DFA S=$1 A=$2 L=$3, $N traces, --domain all words" $d "$W/t.json" --domain "$W/dom.json"
  done
done
for d in 8 12; do
  D=$(( d * d * (d + 1) / 2 ))
  "$M" --quiet generate random --d $d --tokens 12 --samples $((2 * D)) --seed 4 -o "$W/f.json"
  measure "full rank, N = 2D, n = 12" $d "$W/f.json"
done
