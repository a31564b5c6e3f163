"""Everything that turns votes into figures.

- ``statistics``: the formulas, on plain numbers (no database, no models);
- ``selectors``: the one selector behind every figure, with the one visibility rule;
- ``exports``: the rows of the CSV downloads and the briefing workbook;
- ``briefing``, ``tasks``: the briefing for the autumn session and its background work;
- ``rules``, ``views``, ``urls``: who may see the briefing, and the pages.

The formulas are documented for the public in ``docs/results.md``.
"""
