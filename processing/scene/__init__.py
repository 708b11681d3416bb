"""Sample data: the demo scene with planted truth."""
