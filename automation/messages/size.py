"""The longest text a forge takes, and a text of the bot's cut to fit in it."""

from __future__ import annotations

# Characters in an issue's description or a comment: GitHub answers 422 above 65,536; GitLab
# takes 1,000,000 in a note (and 1,048,576 in a description).
BODY_LIMITS = {"github": 65_536, "gitlab": 1_000_000}
ROOM = 1_000  # kept free for the bot's marker and the line that says the text was cut


def fitted(body: str, flavour: str) -> str:
    """`body`, or when it is longer than the forge takes, its first lines that fit with a
    line saying the rest was cut: a text that quotes people's goals (hundreds of them, or one
    very long) must still be written, rather than fail every night."""
    limit = BODY_LIMITS[flavour] - ROOM
    if len(body) <= limit:
        return body
    head = body[:limit]
    end = head.rfind("\n")
    kept = head[:end] if end > limit // 2 else head
    return (
        f"{kept}\n\n_(The rest of this text is cut: it was {len(body):,} characters, more than "
        f"{BODY_LIMITS[flavour]:,}, the most the forge takes. The pairing issue holds the "
        "goals in full.)_"
    )
