# Django's Arabic has no date-and-time format and falls back to the English
# "N j, Y, P": the day before the month, with the Arabic comma, as its DATE_FORMAT.
DATETIME_FORMAT = "j F، Y، g:i A"
