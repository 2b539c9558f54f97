"""The console's one Norwegian date format (#15); see `ordstyrer.formats`."""

DATE_FORMAT = "j. N Y"
SHORT_DATE_FORMAT = "j. N Y"
DATETIME_FORMAT = r"j. N Y \k\l. H.i"
SHORT_DATETIME_FORMAT = r"j. N Y \k\l. H.i"
TIME_FORMAT = "H.i"
