"""Benchmarks run by ``make bench``; each module exposes ``main(argv) -> None`` and prints its figures."""
