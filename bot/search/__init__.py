"""Search: folding, segmentation, the index and the ranking behind `Library.search`."""
