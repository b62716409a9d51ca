#!/usr/bin/env bash
# symbols.sh — the link-level half of the layering check: no module's library refers to a symbol
# that only a module outside its declared dependencies (transitively) defines. The include roots
# already refuse the headers; this catches a hand-written prototype of another module's function.
#   symbols.sh NAME=LIB:DEP,DEP... ...   (one argument per module, its dependencies' closure)
set -euo pipefail
command -v nm >/dev/null || { echo "SKIP: nm (binutils) is not installed"; exit 77; }
declare -A lib deps owner
for arg in "$@"; do
  name=${arg%%=*}; rest=${arg#*=}
  lib[$name]=${rest%%:*}; deps[$name]=",${rest#*:},"
done
for m in "${!lib[@]}"; do
  while read -r sym; do owner[$sym]=$m; done < <(nm -g --defined-only "${lib[$m]}" | awk 'NF==3{print $3}')
done
bad=0
for m in "${!lib[@]}"; do
  while read -r sym; do
    o=${owner[$sym]:-}
    [ -z "$o" ] || [ "$o" = "$m" ] && continue
    case ${deps[$m]} in *",$o,"*) continue ;; esac
    echo "module $m uses $sym, defined in $o, which it does not depend on"
    bad=1
  done < <(nm -g --undefined-only "${lib[$m]}" | awk '$1=="U"{print $2}' | sort -u)
done
[ $bad = 0 ] && echo "every module refers only to symbols of the modules it depends on (${#lib[@]} modules)"
exit $bad
