"""Mebot's edges: the Gradio web app and the `mebot` command line."""
