"""What a run gives: exact totals folded in chunk by chunk (counts, totals, bootstrap), the
summary with its costs and QALYs (summary, economics), the tables and their codebook (columns,
tables, arrow, outputs, folder), and the plots and pictures."""
