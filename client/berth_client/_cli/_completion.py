"""Shell completion scripts, generated from the argument parser itself.

The parser is walked once into a table — for each command path (``""``, ``"runs"``,
``"runs list"``): its subcommands (and positional choices), its options, the options that take a
value, and the choices of those that have them — and the table is written into shell ``case``
statements. A small function then finds the command path in the words typed so far and offers
what fits. zsh runs the same function through its ``bashcompinit`` layer, with 0-based arrays.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex

__all__ = ["CommandTable", "command_table", "completion_script"]


@dataclasses.dataclass
class CommandTable:
    """What may follow the words of one command path."""

    words: list[str] = dataclasses.field(default_factory=list)
    options: list[str] = dataclasses.field(default_factory=list)
    valued: list[str] = dataclasses.field(default_factory=list)
    choices: dict[str, list[str]] = dataclasses.field(default_factory=dict)


def command_table(parser: argparse.ArgumentParser) -> dict[str, CommandTable]:
    """Every command path of ``parser`` with what may follow it."""
    table: dict[str, CommandTable] = {}
    _walk(parser, "", table)
    return table


def _walk(parser: argparse.ArgumentParser, path: str, table: dict[str, CommandTable]) -> None:
    entry = table.setdefault(path, CommandTable())
    # argparse keeps its actions in private attributes: completion generators all read them.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                entry.words.append(name)
                _walk(sub, f"{path} {name}".strip(), table)
        elif action.option_strings:
            entry.options.extend(action.option_strings)
            if action.nargs != 0:
                entry.valued.extend(action.option_strings)
                if action.choices:
                    for option in action.option_strings:
                        entry.choices[option] = [str(c) for c in action.choices]
        elif action.choices:
            entry.words.extend(str(c) for c in action.choices)


def _case(function: str, arms: dict[str, list[str]]) -> str:
    lines = [f"{function}() {{", '    case "$1" in']
    for key, values in arms.items():
        if values:
            lines.append(f"        {shlex.quote(key) if key else chr(34) * 2}) echo {shlex.quote(' '.join(values))};;")
    lines += ["    esac", "}"]
    return "\n".join(lines)


_DRIVER = r"""
_berth_client() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" path="" word i skip=0
    (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word="${COMP_WORDS[i]}"
        if (( skip )); then skip=0; continue; fi
        case " $(_berth_client_valued "$path") " in *" $word "*) skip=1; continue;; esac
        case " $(_berth_client_words "$path") " in *" $word "*) path="${path:+$path }$word";; esac
    done
    local choices
    choices="$(_berth_client_choices "$path|$prev")"
    if [[ -n "$choices" ]]; then
        COMPREPLY=($(compgen -W "$choices" -- "$cur"))
        return 0
    fi
    if [[ -n "$prev" && " $(_berth_client_valued "$path") " == *" $prev "* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
    fi
    COMPREPLY=($(compgen -W "$(_berth_client_words "$path") $(_berth_client_options "$path")" -- "$cur"))
    return 0
}
"""

_BASH_FOOTER = "complete -F _berth_client berth-client\n"

_ZSH_HEADER = """#compdef berth-client
(( $+functions[compdef] )) || { autoload -U +X compinit && compinit; }
autoload -U +X bashcompinit && bashcompinit
"""

_ZSH_FOOTER = r"""
# bashcompinit fills COMP_WORDS as a zsh array; the function indexes it from 0, as bash does.
_berth_client_zsh() {
    setopt localoptions ksharrays
    _berth_client "$@"
}
complete -F _berth_client_zsh berth-client
"""


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser`` for ``bash`` or ``zsh``."""
    if shell not in ("bash", "zsh"):
        raise ValueError(f"no completion for shell {shell!r}")
    table = command_table(parser)
    choices = {f"{path}|{option}": values for path, entry in table.items() for option, values in entry.choices.items()}
    body = "\n".join([
        f"# berth-client completion for {shell}. Enable it with: eval \"$(berth-client completion {shell})\"",
        _case("_berth_client_words", {path: entry.words for path, entry in table.items()}),
        _case("_berth_client_options", {path: entry.options for path, entry in table.items()}),
        _case("_berth_client_valued", {path: entry.valued for path, entry in table.items()}),
        _case("_berth_client_choices", choices),
    ]) + _DRIVER
    if shell == "bash":
        return body + _BASH_FOOTER
    return _ZSH_HEADER + body + _ZSH_FOOTER
