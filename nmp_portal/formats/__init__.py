"""The site's date formats per language (FORMAT_MODULE_PATH): a date reads "26 juni 2024, 10:00"."""
