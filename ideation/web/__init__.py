"""Provides the room: a projector display and participants' own devices, served
from the facilitator's laptop (Starlette + uvicorn, Jinja2, server-sent events).

Nothing here imports Textual; the TUI starts `server.RoomServer` in-process and
`ideation serve` runs the same server from the command line.
"""
