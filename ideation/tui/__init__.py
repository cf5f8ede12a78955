"""The Textual front door: the home screen, the live session, the reviews."""
