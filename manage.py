#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys


def main():
    from nmp_portal.environment import use_settings

    use_settings(default="nmp_portal.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
