"""ftbplots: charts and the report for ftbench results (docs/results-format.md, schema 1)."""
