"""Evaluation harnesses: heading segmentation against a ground truth, search relevance."""
