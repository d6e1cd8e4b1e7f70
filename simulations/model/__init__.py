"""What is simulated, before any pathway runs it: the parameter file and its strict loader
(parameters, schema, values), the counter-based random numbers (draws, normal), and the natural
history (history: the cohort's probabilities; patient: one patient week by week, with
patient_red_flags and patient_results)."""
