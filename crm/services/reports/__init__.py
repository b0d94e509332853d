"""The council report: its content, charts, PDF and workbook."""
