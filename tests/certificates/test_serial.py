import re

from hypothesis import given
from hypothesis import strategies as st

from sidecar.certificates.serial import ALPHABET, check, new_serial, normalize

CANONICAL = re.compile(r"^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]$")
serials = st.builds(lambda _: new_serial(), st.integers())


def _chars(serial: str) -> list[str]:
    return list(serial.replace("-", ""))


def _join(chars: list[str]) -> str:
    return "".join(chars)


def test_new_serial_is_canonical_and_checks_ok() -> None:
    for _ in range(200):
        s = new_serial()
        assert CANONICAL.match(s), s
        assert check(s) == "ok"
        assert normalize(s) == s


def test_new_serials_differ() -> None:
    assert len({new_serial() for _ in range(1000)}) == 1000


@given(serials, st.data())
def test_every_single_substitution_is_a_typo(serial: str, data: st.DataObject) -> None:
    chars = _chars(serial)
    for i, original in enumerate(chars):
        for replacement in ALPHABET:
            if replacement != original:
                changed = [*chars[:i], replacement, *chars[i + 1 :]]
                assert check(_join(changed)) == "typo", (serial, i, replacement)


@given(serials)
def test_every_adjacent_transposition_is_a_typo(serial: str) -> None:
    chars = _chars(serial)
    for i in range(len(chars) - 1):  # includes the last data character with the check character
        if chars[i] != chars[i + 1]:
            swapped = [*chars[:i], chars[i + 1], chars[i], *chars[i + 2 :]]
            assert check(_join(swapped)) == "typo", (serial, i)


@given(serials, st.sampled_from(["lower", "spaces", "none", "crockford"]))
def test_reading_variants_normalize_back(serial: str, variant: str) -> None:
    text = {
        "lower": serial.lower(),
        "spaces": " ".join(serial.replace("-", "")),
        "none": serial.replace("-", ""),
        "crockford": serial.replace("1", "l").replace("0", "O"),
    }[variant]
    assert normalize(text) == serial
    assert check(text) == "ok"


@given(st.text())
def test_normalize_and_check_never_raise(text: str) -> None:
    result = normalize(text)
    assert result is None or CANONICAL.match(result)
    assert check(text) in ("ok", "malformed", "typo")


def test_malformed_inputs() -> None:
    serial = new_serial()
    for text in ["", serial[:-1], serial + "0", serial.replace(serial[0], "U", 1), "x" * 10_000]:
        assert normalize(text) is None
        assert check(text) == "malformed"


def test_non_ascii_lookalikes_are_not_read_as_serial_characters() -> None:
    serial = new_serial()
    assert normalize(serial.replace("-", "\u2010")) is None  # unicode hyphen
    assert normalize("ı" + serial[1:]) is None  # dotless i upper-cases to I
