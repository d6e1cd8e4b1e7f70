"""The two engines that run patients through the pathway and agree patient for patient: the
reference (course: one patient at a time through the `transitions` engine, with course_bookings)
and the compiled engine (compiled/: a block of patients in lockstep on arrays). booking, orders
and outcome are the rules and records both share."""
