"""Prefect wiring only: tasks, retries, schedules. All logic lives in plain modules."""
