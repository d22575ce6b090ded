"""Diagram geometry (flow, path/tree, bar chart): computed once, drawn by every backend.

Coordinates are in points with the origin at the top-left of the diagram and y growing
downwards; backends flip or scale as their canvas needs.
"""
