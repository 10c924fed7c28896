"""Customer-side clients: the resumable uploader, the native desk client and the JSM connector.

Only httpx here: this package must never import FastAPI or ``sitrep.desk``.
"""
