"""Linking entities to open data sets, offline (package data only)."""

from .geonames import link_places

__all__ = ["link_places"]
