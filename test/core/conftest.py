"""Hypothesis without clocks: no per-example deadline and no too-slow health check, so a slow or
busy machine cannot fail a property test (the properties are what is tested, not the speed)."""
from hypothesis import HealthCheck, settings

settings.register_profile("no-clock", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("no-clock")
