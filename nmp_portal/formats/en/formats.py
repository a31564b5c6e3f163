# The English interface writes dates the way the Dutch one does ("26 June 2024, 10:00"), with a
# 24-hour clock, rather than Django's American "June 26, 2024, 10 a.m.".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
