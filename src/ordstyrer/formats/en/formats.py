"""The English console's dates (#15): the Norwegian module's unambiguous day-month order
and 24-hour Oslo clock in English words, «5 Dec 2026, 17:26» — never Django's US
«12/05/2026 5:26 p.m.»; see `ordstyrer.formats`."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Norway
