"""`make bench`: speed as ratios against a baseline measured in the same run (``python -m bench``).

Every benchmark times our code and a baseline doing comparable bare work on the same machine in the same
process, and reports the ratio; absolute times are printed for context only and never asserted. See
docs/benchmarks.md for what each benchmark measures and the numbers of a reference run.
"""
