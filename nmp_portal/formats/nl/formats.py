# Django's Dutch formats, with a comma between date and time: "26 juni 2024, 10:00".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
