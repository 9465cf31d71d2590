"""Views translate a request into a selector or service call and a template; nothing else."""
