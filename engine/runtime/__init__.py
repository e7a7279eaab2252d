"""The bridge to SpiffWorkflow: restore, run and store one case's workflow safely.

Everything that knows SpiffWorkflow's object model lives here; the service layer in
engine.cases works with the small records this package returns.
"""
