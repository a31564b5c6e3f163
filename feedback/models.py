"""Votes, priorities, comments, reports and results arrive with the participation issues."""
