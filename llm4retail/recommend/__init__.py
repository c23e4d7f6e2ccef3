"""Recommendations: collaborative, sequential and content models behind one interface."""
