#!/bin/bash
# The bash completion (completions/attune-top), sourced with bash-completion
# and queried the way bash does: COMP_WORDS split at blanks and at "=" and
# ":" (COMP_WORDBREAKS), COMP_LINE, COMP_POINT, then COMPREPLY. Checks the
# options (every one --help lists), --export names and --range examples
# (each accepted by the program), --entity prefixes, files after -o, and
# service names from ~/.pg_service.conf after "service=". The zsh completion
# gets a syntax check. TAP; skips visibly without bash-completion.
#
#   COMPLETION=/path/to/attune-top tests/completion/bash.sh   (an installed copy)
# make check runs .sh tests with $(SHELL), which may be a POSIX sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
src=${ATTUNE_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${ATTUNE_TOP_BIN:-attune-top}
COMPLETION=${COMPLETION:-$src/completions/attune-top}
ZSH_COMPLETION=${ZSH_COMPLETION:-$src/completions/_attune-top}
framework=/usr/share/bash-completion/bash_completion
if [ ! -r "$framework" ]; then
	echo "1..0 # SKIP bash-completion is not installed ($framework)"
	exit 0
fi

n=0
failed=0
ok() { # cond-status description [diagnostic]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/attune-completion.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CONFIG_HOME=/dev/null
unset PGSERVICEFILE PGSYSCONFDIR
mkdir -p "$HOME"

# shellcheck disable=SC1090
source "$framework"
# shellcheck disable=SC1090
source "$COMPLETION"

# Complete at the end of a command line; the candidates, one per line.
comp() {
	local line=$1 w="" c i
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ $c == [[:space:]] ]]; then
			[[ -n $w ]] && COMP_WORDS+=("$w")
			w=""
		elif [[ $c == [=:] ]]; then
			[[ -n $w && $w != [=:]* ]] && { COMP_WORDS+=("$w"); w=""; }
			w+=$c
		else
			[[ $w == [=:]* ]] && { COMP_WORDS+=("$w"); w=""; }
			w+=$c
		fi
	done
	COMP_WORDS+=("$w")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	# compopt only works inside a real completion: its complaint is noise here.
	"$func" attune-top "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
	((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() { # command-line expected-candidates(space separated) description
	local got want
	got=$(comp "$1" | tr '\n' ' ' | sed 's/ $//')
	want=$(printf '%s\n' $2 | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ]
	ok $? "$3" "line: $1"$'\n'"got:  $got"$'\n'"want: $want"
}

spec=$(complete -p attune-top 2>/dev/null)
func=$(sed -n 's/.*-F \([^ ]*\) .*/\1/p' <<<"$spec")
[ -n "$func" ]
ok $? "complete -p attune-top names a function ($spec)"
[ -n "$func" ] || { echo "1..$n"; exit 1; }

# ---- options
expect "attune-top --ex" "--export=" "--ex → --export="
expect "attune-top --no-c" "--no-color --no-config" "--no-c → --no-color, --no-config"
all=$(comp "attune-top --")
missing=""
for opt in $("$BIN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -qx -- "$opt=\\?" <<<"$all" || missing="$missing $opt"
done
[ -z "$missing" ] && [ -n "$all" ]
ok $? "every long option of --help is offered" "missing:$missing"
grep -qx -- "--range=" <<<"$all" && grep -qx -- "--batch" <<<"$all"
ok $? "options with a value end in =, others do not"

# ---- --export= names
exports=$(comp "attune-top --export=")
[ "$(wc -l <<<"$exports")" -eq 10 ]
ok $? "--export= offers the 10 export names" "$exports"
bad=""
for name in $exports; do
	"$BIN" --export="$name" --help >/dev/null 2>&1 || bad="$bad $name"
done
[ -z "$bad" ]
ok $? "the program accepts every --export name offered" "rejected:$bad"
expect "attune-top --export=wor" "worker_status_hourly workers worker_history" \
	"--export=wor → the worker names"
expect "attune-top --export execution_h" "execution_history" "--export NAME (separate word)"

# ---- --range examples
ranges=$(comp "attune-top --range=")
bad=""
for r in $ranges; do "$BIN" --range="$r" --help >/dev/null 2>&1 || bad="$bad $r"; done
[ -n "$ranges" ] && [ -z "$bad" ] && grep -qx 7d <<<"$ranges" && grep -qx 6h <<<"$ranges"
ok $? "--range= offers examples the program accepts ($(echo $ranges))" "rejected:$bad"
expect "attune-top -R 1" "1h 12h" "-R 1 → 1h 12h"

# ---- --entity prefixes
expect "attune-top --entity=" "execution: worker:" "--entity= → execution: worker:"
expect "attune-top --entity=w" "worker:" "--entity=w → worker:"
expect "attune-top -e ex" "execution:" "-e ex → execution:"

# ---- files after -o
mkdir -p "$work/out"
touch "$work/out/status.csv" "$work/out/summary.txt"
expect "attune-top --export=workers -o $work/out/st" "$work/out/status.csv" "-o completes file names"
expect "attune-top --export=workers --output=$work/out/su" "$work/out/summary.txt" \
	"--output= completes file names"

# ---- service names from ~/.pg_service.conf
printf '# services\n[prod]\nhost=db1\n  [staging]  \n[analytics-ro]\ndbname=x\n' >"$HOME/.pg_service.conf"
expect "attune-top service=" "prod staging analytics-ro" "service= → the names in ~/.pg_service.conf"
expect "attune-top service=st" "staging" "service=st → staging"
expect "attune-top -d service=a" "analytics-ro" "-d service=a → analytics-ro"
expect "attune-top --dbname=service=p" "prod" "--dbname=service=p → prod"
expect "attune-top ser" "service=" "the CONNINFO operand: service="
printf '[other]\n' >"$work/services"
PGSERVICEFILE=$work/services expect "attune-top service=" "other" "PGSERVICEFILE is honoured"

# ---- zsh
if command -v zsh >/dev/null 2>&1; then
	out=$(zsh -n "$ZSH_COMPLETION" 2>&1)
	ok $? "zsh completion: syntax" "$out"
	head -n 1 "$ZSH_COMPLETION" | grep -qx '#compdef attune-top'
	ok $? "zsh completion: #compdef attune-top"
else
	echo "ok $((n + 1)) - zsh completion # SKIP zsh is not installed"
	n=$((n + 1))
fi

echo "1..$n"
[ "$failed" -eq 0 ]
