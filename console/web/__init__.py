"""The customer support website (`switchboard portal`, issue 17).

Server-rendered pages (Starlette, Jinja2 templates, one stylesheet, no script) run by
uvicorn. Handlers stay thin: parse the form, call the store command the CLI calls (as the
service `portal`, on behalf of the signed-in contact), render or redirect (303 after a
POST). Sessions and sign-in throttling live in the database, so any number of portal
processes can serve the same desk. Never imports Textual.
"""
