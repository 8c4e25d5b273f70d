# "3月5日", not "03月5日" (Django's own comment says 9月5日).
MONTH_DAY_FORMAT = "n月j日"
# Figures grouped by thousands with a comma, as Chinese publications print them (CLDR "zh").
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
