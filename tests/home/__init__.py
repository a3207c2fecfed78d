"""Tests of the home screens per role."""
