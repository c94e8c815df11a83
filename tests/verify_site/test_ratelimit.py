"""The per-address rate limit: a sliding minute, counted per address, constant work per request,
and a Retry-After after which the next request is indeed allowed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sidecar.ratelimit import WINDOW, RateLimiter


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_limit_is_per_address_and_a_refusal_does_not_count() -> None:
    clock = Clock(600.0)
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.spend("a") for _ in range(3)] == [None, None, None]
    assert limiter.spend("a") is not None
    assert limiter.spend("a") is not None
    assert limiter.spend("b") is None
    clock.now += WINDOW  # a minute on: the previous minute's 3 still weigh fully at its start
    assert limiter.spend("a") is not None
    clock.now += WINDOW / 2  # half of them weigh now: 1.5 + 1 <= 3
    assert limiter.spend("a") is None


def test_a_burst_across_a_minute_boundary_is_still_limited() -> None:
    clock = Clock(659.0)  # one second before a new minute
    limiter = RateLimiter(10, clock=clock)
    assert all(limiter.spend("a") is None for _ in range(10))
    clock.now = 661.0  # two seconds later, in the next minute
    allowed = sum(limiter.spend("a") is None for _ in range(10))
    assert allowed == 0  # 10 * 58/60 + 1 > 10


def test_old_addresses_are_forgotten() -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(5, clock=clock)
    for n in range(1000):
        limiter.spend(f"10.0.{n // 250}.{n % 250}")
    clock.now = 3 * WINDOW
    limiter.spend("one more")
    assert len(limiter._current) + len(limiter._previous) == 1


def test_a_disabled_limiter_allows_everything() -> None:
    limiter = RateLimiter(1, clock=Clock(0.0))
    limiter.enabled = False
    assert all(limiter.spend("a") is None for _ in range(5))


@given(
    limit=st.integers(1, 100),
    start=st.floats(0, 10 * WINDOW),
    gaps=st.lists(st.floats(0, 5.0), min_size=1, max_size=200),
)
def test_never_more_than_the_limit_in_any_minute_and_retry_after_is_honest(
    limit: int, start: float, gaps: list[float]
) -> None:
    """Allowed requests never exceed `limit` within one clock minute, nor twice it in any 60 s
    span (the approximation's known slack); and after a refusal, waiting its Retry-After always
    lets the next request through."""
    clock = Clock(start)
    limiter = RateLimiter(limit, clock=clock)
    allowed: list[float] = []
    for gap in gaps:
        clock.now += gap
        wait = limiter.spend("a")
        if wait is None:
            allowed.append(clock.now)
            continue
        assert wait >= 1
        clock.now += wait
        assert limiter.spend("a") is None
        allowed.append(clock.now)
    per_clock_minute: dict[int, int] = {}
    for t in allowed:
        per_clock_minute[int(t // WINDOW)] = per_clock_minute.get(int(t // WINDOW), 0) + 1
    assert max(per_clock_minute.values()) <= limit
    for i, t in enumerate(allowed):
        assert sum(1 for u in allowed[i:] if u < t + WINDOW) <= 2 * limit
