"""Demo city site: static pages, a loopback server and labelled sets."""
