"""A login at a remote host: `ssh jdoe@bastion.example.org`, `scp f jdoe@files.example.com:`,
`sftp://jdoe@files.example.com`. The `user@host` is a user name and a host, not an
address: USERNAME reads the user, and EMAIL leaves it. Both run EMAIL's pattern, and this
is asked only of its values: a pattern of its own cost new text 0.9-1.9% more instructions
(`pii_instructions.py`), though no text of the benchmark names one of these commands.

The command's arguments before it are options and what options take (`-i ~/.ssh/key`,
`-p 2222`, `-o StrictHostKeyChecking=no`) or paths (`./dist/`, `build.tar`): a word
between them is prose ("ssh keys for jane@acme.com" names an address).
"""

from __future__ import annotations

import re

_COMMAND = r"\b(?:ssh|scp|sftp|rsync)(?:-copy-id)?"
# An option, or a token holding a path's, a number's or a setting's character.
_ARGUMENTS = r"(?:[ \t]+(?:-[^\s@]*|[^\s@]*[/.~:=\d][^\s@]*))*[ \t]+"
_COMMANDS = re.compile(_COMMAND)
_REST = re.compile(rf"(?:://|{_ARGUMENTS})\Z")
_REACH = 200  # characters before the user, on its line, where the command may stand


def logs_in(text: str, start: int) -> bool:
    """Whether what starts at `start` (before an `@`) is the user of a remote login."""
    reach = max(0, start - _REACH)
    window = text[reach:start]
    # Asked of every address: most hold no command's name, which `in` tells cheaply.
    if not ("ssh" in window or "scp" in window or "sftp" in window or "rsync" in window):
        return False
    first = text.rfind("\n", reach, start) + 1 or reach
    return any(
        _REST.match(text, found.end(), start) is not None
        for found in _COMMANDS.finditer(text, first, start)
    )
