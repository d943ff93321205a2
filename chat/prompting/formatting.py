"""How figures read to people: one place, so the prompt, the offline model and the
page never disagree about how a balance is written."""

from datetime import date, time


def money(value: float | int | str) -> str:
    """$12,345.67 (and -$42.10 for a debit)."""
    amount = float(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def long_date(value: date | str) -> str:
    """March 4, 2026."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%B} {day.day}, {day.year}"


def clock_time(value: time | str) -> str:
    """9:30 AM."""
    moment = time.fromisoformat(value) if isinstance(value, str) else value
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
