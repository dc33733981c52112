"""The report's sections, one module each, in the order the report shows them: news, outlook, pace, targets,
scores (leaderboard and outcomes) and data (conflicts, series without an outlook)."""
