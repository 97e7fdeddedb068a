"""Page bodies as functions (pages/ only call them), each with its settings declared once at the top."""
