"""Where Django's own date and number formats for a language fall short, the
few names that differ (FORMAT_MODULE_PATH); everything else is Django's."""
