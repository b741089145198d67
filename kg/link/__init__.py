"""Linking entities to open data sets, offline (package data only)."""

from .geonames import link_places, place_links

__all__ = ["link_places", "place_links"]
