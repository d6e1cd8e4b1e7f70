"""Running a cohort: cut into chunks (or whole catchments, with capacity), run in this process,
on worker processes or on Dask (execution, lifeline), checkpointed to resume (checkpoint), and
gathered in patient order (cohort, chunk)."""
