"""Seeing activations: sampled curves, matplotlib figures, terminal plots and the HTML report."""
