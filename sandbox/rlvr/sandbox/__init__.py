"""Run untrusted programs: an in-container executor, its protocol, and a warm container pool.

Nothing here knows about rewards; it runs programs against inputs and reports what happened.
"""
