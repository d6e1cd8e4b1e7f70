"""Questions asked of many runs: compare two pathways (comparison), calibrate the natural history
and check it out of sample (calibrate, out_of_sample), sweep parameters and strategies, with the
probabilistic sensitivity analysis (sweep and its sweep_* parts), and a pathway change's
simulated consequence (impact)."""
