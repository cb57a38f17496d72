# The compiled candidate search (_finder.cpp).

class Finder:
    def __init__(
        self,
        sets: list[list[str]],
        patterns: list[tuple[str | None, int, int, list[tuple[float, int]]]],
        max_mem: int,
    ) -> None: ...
    def find(
        self, text: str, min_score: float, limit: int
    ) -> tuple[list[int] | None, list[tuple[int, int, int, int, int]], int]: ...

def error(pattern: str, max_mem: int) -> str | None: ...
