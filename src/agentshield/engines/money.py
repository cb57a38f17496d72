"""Money is an integer of nano-dollars everywhere; decimal strings only at the edges."""

from decimal import Decimal, InvalidOperation

NANOS_PER_USD = 1_000_000_000
MAX_DECIMALS = 9


class MoneyError(ValueError):
    """An amount that is not a valid non-negative decimal with at most 9 places."""


def to_usd_string(nanos: int) -> str:
    """1_500_000_000 -> '1.500000000'."""
    sign = "-" if nanos < 0 else ""
    whole, frac = divmod(abs(nanos), NANOS_PER_USD)
    return f"{sign}{whole}.{frac:09d}"


def parse_usd(value: str | int, *, allow_negative: bool = False) -> int:
    """'0.01' -> 10_000_000. Refuses floats, NaN, more than 9 decimals."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MoneyError("amount must be a decimal string")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise MoneyError(f"not a number: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    if amount < 0 and not allow_negative:
        raise MoneyError("amount must not be negative")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise MoneyError(f"at most {MAX_DECIMALS} decimal places")
    return int(amount * NANOS_PER_USD)


def cost_of_tokens(tokens: int, nanos_per_million: int) -> int:
    """Cost of `tokens` at a per-million-token price, rounded up to the next nano-dollar."""
    return -(-tokens * nanos_per_million // 1_000_000)
