"""A domain-free saga engine: steps with their undo, durable progress, recovery.

Reading order: definition (how a saga is declared), models (what is stored),
services (the entry points), runner/ (how a run advances), lease and recovery
(who may advance it, and what happens when a worker dies), plan (the recovery
plan drawn from a definition).
"""
