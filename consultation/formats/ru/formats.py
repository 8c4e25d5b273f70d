# "5 марта", not "5 Март": a day and month take the month in the genitive (E), as DATE_FORMAT does.
MONTH_DAY_FORMAT = "j E"
