import pytest

from advisor import fmt


@pytest.mark.parametrize("locale", ["en", "es", "fr", "ar"])
@pytest.mark.parametrize("seconds", [0, 1, 59, 60, 61, 3599, 3600, 3661, 86399, 90061, 10**7])
@pytest.mark.parametrize("width", ["long", "short"])
def test_durations_format_in_every_locale(locale, seconds, width):
    text = fmt.duration(seconds, locale, "minute", width)
    assert text and "duration-" not in text


def test_known_durations():
    assert fmt.duration(23571, "es") == "6 horas, 32 minutos y 51 segundos"
    assert fmt.duration(23571, "en") == "6 hours, 32 minutes, and 51 seconds"
    assert fmt.duration(90061, "fr", width="short") == "1j, 1h, 1min et 1s"   # Babel fallback
    assert fmt.duration(7205, "en", "minute", "short") == "2h"
