"""Service capacity: waits that emerge from demand and each resource's slots (`sciatica simulate
--capacity`). file.py reads the capacity file; queues.py serves a catchment's orders week by week
at hour resolution; routing.py says which queue an order joins; run.py runs a catchment through
either engine; totals.py, report.py and plot.py turn the queues into the run's figures."""
