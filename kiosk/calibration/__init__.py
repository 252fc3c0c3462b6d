"""Scanner calibration (issue 16): the calibration sheet, what a scan of it measures, the
scanner's profile (tolerances, pass or fail, the journal link) and what the reader does with it.

Domain core: pure functions on numpy images and frozen dataclasses; files and the journal are
passed in. `thresholds.py` and `testdeck.py` (mark thresholds, the logic-and-accuracy deck) are
the other half of issue 16.
"""
