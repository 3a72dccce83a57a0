"""Who may call the webserver: API tokens or a trusted proxy, roles, and the audit log.

``config`` reads the auth file, ``authenticator`` recognises callers, ``middleware`` and
``connection`` apply it to HTTP and WebSocket connections, ``roles`` holds the table of the
role each mutation needs, and ``audit`` says what is recorded of each mutation.
"""
