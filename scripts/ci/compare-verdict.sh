#!/usr/bin/env bash
# The pull-request comment of ftbench compare and the job's verdict, from one or two comparisons:
# wall times (BASE NEW) and, optionally, instruction counts (COUNT_BASE COUNT_NEW).
# Used by docs/ci-compare-example.yml; runnable (and tested) on its own.
#
# usage: compare-verdict.sh FTBENCH OUT_DIR BASE NEW [COUNT_BASE COUNT_NEW]
# env:   CHART_URL  where the chart will be published (a URL a comment can show: a pages branch);
#                   unset, the comment links no image and the chart stays in OUT_DIR (an artifact)
#        RUN_URL    a link to the job, named in the comment (optional)
#
# Writes into OUT_DIR:
#   comment.md  the comment: first line the hidden marker (<!-- ftbench-compare -->) by which the
#               workflow finds and updates its one comment per pull request, then the verdict
#               heading, then compare's markdown (it escapes every name from the results files)
#   compare.png the chart, when compare drew one
#   verdict     one word: ok, regression or failure
# and prints the verdict line. Exit status, the worst of the comparisons:
#   0 ok (every compare exited 0)
#   1 regression (a compare exited 1, none failed)
#   2 failure: a compare exited anything but 0 or 1 (2 unusable input or inconclusive, 70 an
#     internal error, 128+n interrupted, 127 no ftbench): the comment says "failed" with compare's
#     own message, and never "no regression"
set -uo pipefail
if [ $# -ne 4 ] && [ $# -ne 6 ]; then
  echo "usage: compare-verdict.sh FTBENCH OUT_DIR BASE NEW [COUNT_BASE COUNT_NEW]" >&2
  exit 2
fi
ftbench=$1 out=$2
shift 2
mkdir -p "$out" || exit 2
marker="<!-- ftbench-compare -->"
max_comment=60000  # GitHub refuses comments over 65536 characters

worst=0 failures="" reports=""
# run_compare NAME BASE NEW [compare options...]: appends compare's markdown to $reports, its
# failure (status and stderr) to $failures, and raises $worst.
run_compare() {
  local name=$1 base=$2 new=$3 code
  shift 3
  "$ftbench" compare "$base" "$new" --format markdown "$@" >"$out/$name.md" 2>"$out/$name.err"
  code=$?
  case $code in
    0) ;;
    1) [ $worst -eq 0 ] && worst=1 ;;
    *) worst=2
       failures+="ftbench compare ($name) exited $code: $(head -c 2000 "$out/$name.err")"$'\n' ;;
  esac
  [ -s "$out/$name.md" ] && reports+="$(cat "$out/$name.md")"$'\n\n'
  return 0
}

run_compare times "$1" "$2" --chart "$out/compare.png"
[ $# -eq 4 ] && run_compare counts "$3" "$4"

case $worst in
  0) verdict=ok heading="ftbench: no regression" ;;
  1) verdict=regression heading="ftbench: REGRESSION" ;;
  *) verdict=failure heading="ftbench compare FAILED: no verdict (not a pass)" ;;
esac
echo "$verdict" >"$out/verdict"

{
  echo "$marker"
  echo "## $heading"
  echo
  if [ -n "$failures" ]; then
    echo "The comparison could not be made or reached no verdict; this is not \"no regression\":"
    echo
    echo '~~~~text'
    # Inside the fence nothing is markup; the fence itself cannot be closed from the message.
    printf '%s' "$failures" | tr '`~' "''"
    echo '~~~~'
    echo
  fi
  # compare's own markdown links the chart by the path it was given; the comment links its URL.
  if [ -n "${CHART_URL:-}" ] && [ -s "$out/compare.png" ]; then
    url=${CHART_URL//\\/\\\\}; url=${url//&/\\&}; url=${url//|/\\|}
    printf '%s' "$reports" | sed "s|^!\[new / base median wall time per cell\](.*)\$|![new / base median wall time per cell]($url)|"
  else
    printf '%s' "$reports" | grep -v "^!\[new / base median wall time per cell\]("
  fi
  [ -n "${RUN_URL:-}" ] && echo "[The job, its log and the artifact with the results]($RUN_URL)"
} >"$out/comment.full.md"
if [ "$(wc -c <"$out/comment.full.md")" -gt $max_comment ]; then
  { head -c $max_comment "$out/comment.full.md" | sed '$d'
    echo
    echo "(cut at $max_comment characters: the whole comparison is in the job's artifact)"
  } >"$out/comment.md"
  # A cut inside <details> would leave it open: close it (a second </details> is harmless).
  echo "</details>" >>"$out/comment.md"
else
  mv "$out/comment.full.md" "$out/comment.md"
fi
rm -f "$out/comment.full.md"
echo "$heading (exit $worst)"
[ -n "$failures" ] && printf '%s' "$failures" >&2
exit $worst
