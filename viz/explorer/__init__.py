"""The interactive graph explorer's parts: page data (data.py), arrays (arrays.py), the
numerical check (replay.py), and the page's own JavaScript, CSS and HTML template.

The public entry point is ``viz.explore`` (viz/explore.py).
"""
__all__ = ["data", "arrays", "replay"]
