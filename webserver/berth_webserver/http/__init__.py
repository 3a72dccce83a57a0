"""The HTTP and WebSocket surface of the webserver: GraphQL, GraphiQL, info, health, security headers."""
