"""What a command said on stderr, without the line naming the pathway it used (every command
announces it first, once it knows which pathway that is)."""


def problems(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("pathway: ")]
