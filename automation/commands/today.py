"""The day a command acts on: the one given with --today, else today in the program's time
zone, or on a sandbox the sandbox's own clock (it may be moved forward to play out a term)."""

from __future__ import annotations

from datetime import date

from automation.roster.config import Program, program_today


def program_day(program: Program, given: date | None) -> date:
    """`given`, else today in the program's time zone."""
    return given if given is not None else program_today(program)


def forge_day(program: Program, given: date | None) -> date:
    """Today for a command that talks to the forge: the sandbox's clock on a sandbox, else
    as `program_day` (the sandbox client loads only for a sandbox)."""
    if given is not None or program.forge.kind != "sandbox":
        return program_day(program, given)
    from automation.forge import ForgeError
    from automation.sandbox import SandboxAdmin, SandboxError

    url = program.forge.base_url
    try:
        now = SandboxAdmin(url, timeout=program.forge.timeout_seconds).now()
    except (OSError, SandboxError) as exc:
        raise ForgeError(
            f"cannot read the sandbox's clock at {url} ({exc}); start it with "
            "`mentorship sandbox serve`, or pass --today"
        ) from None
    return program_today(program, now)
