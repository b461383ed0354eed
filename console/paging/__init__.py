"""`switchboard pager`: the worker that turns due escalation steps and ended on-call shifts
into pages, and sends the outbox (`console.paging.pager`)."""
